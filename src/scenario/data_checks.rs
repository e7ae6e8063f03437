//! Checks of the data tier as a whole: a database whose reads go through a
//! cache, or that has replicas, needs keys to know what hits and what is
//! stale; a warm cache needs a popularity to warm with.

use super::components::ComponentNames;
use super::error::Problem;
use super::model::{ClassSpec, Component, ComponentKind, KeySpace};

/// Refuses a cache or replicas whose database's queries have no keys.
pub(super) fn check_data_tier(
    components: &[Component],
    classes: &[ClassSpec],
    names: &ComponentNames,
) -> Result<(), Problem> {
    for (id, component) in components.iter().enumerate() {
        let ComponentKind::Rds(db) = &component.kind else { continue };
        let cache = components.iter().find_map(|c| match &c.kind {
            ComponentKind::Ec2(fleet) if fleet.database == Some(id) => fleet.cache,
            _ => None,
        });
        let needs_keys = cache.is_some() || db.replicas > 0;
        let every_class_has_keys = classes.iter().all(|class| {
            class.db_at(id).is_some_and(|work| work.keys.is_some() || work.queries == 0)
        });
        let span = names.entries[id].2.clone();
        if needs_keys && db.keys.is_none() && !every_class_has_keys {
            let why = match cache {
                Some(_) => "its reads go through a cache, whose hits depend on which keys are read",
                None => "it has replicas, whose stale reads depend on which keys are written",
            };
            return Err(Problem::new(
                span,
                format!("components.{}.keys", component.name),
                format!("missing: {why}"),
            )
            .with_hint("add keys = { count = 1000000, zipf = 0.99 } (or a key trace)"));
        }
        if let Some(cache_id) = cache
            && let ComponentKind::Cache(spec) = &components[cache_id].kind
            && spec.warm
            && !matches!(db.keys, Some(KeySpace::Drawn(_)))
        {
            return Err(Problem::new(
                names.entries[cache_id].2.clone(),
                format!("components.{}.warm", components[cache_id].name),
                format!(
                    "a warm cache is filled with the most popular keys of `{}`, which needs a \
                     drawn key space (count and zipf or popularity), not a trace",
                    component.name
                ),
            ));
        }
    }
    Ok(())
}
