//! Checks across serverless components: rules AWS enforces when one
//! component is connected to another.

use super::components::ComponentNames;
use super::error::Problem;
use super::model::{ClassSpec, Component, ComponentKind, Consumer};

/// Refuses a Lambda event source whose queue's visibility timeout is
/// shorter than its function's timeout.
///
/// AWS: creating the event source mapping fails when the queue's
/// visibility timeout is less than the function's timeout, since a batch
/// could still run when its messages come back (the Lambda Developer Guide
/// advises six times the function timeout).
pub(super) fn check_queues(
    components: &[Component],
    names: &ComponentNames,
) -> Result<(), Problem> {
    for (id, component) in components.iter().enumerate() {
        let ComponentKind::Sqs(queue) = &component.kind else { continue };
        let Consumer::Lambda(function_id) = queue.consumer else { continue };
        let ComponentKind::Lambda(function) = &components[function_id].kind else { continue };
        if queue.visibility_timeout < function.timeout {
            return Err(Problem::new(
                names.entries[id].2.clone(),
                format!("components.{}.visibility_timeout", component.name),
                format!(
                    "{} s is shorter than the timeout of its consumer `{}` ({} s): AWS refuses \
                     such an event source mapping",
                    queue.visibility_timeout.as_secs_f64(),
                    components[function_id].name,
                    function.timeout.as_secs_f64()
                ),
            )
            .with_hint("AWS advises a visibility timeout of six times the function's timeout"));
        }
    }
    Ok(())
}

/// Refuses a CloudFront distribution whose cache is smaller than the
/// largest answer it would store: it could never hold one.
pub(super) fn check_edges(
    components: &[Component],
    classes: &[ClassSpec],
    names: &ComponentNames,
) -> Result<(), Problem> {
    for (id, component) in components.iter().enumerate() {
        let ComponentKind::CloudFront(edge) = &component.kind else { continue };
        let largest = classes
            .iter()
            .filter(|c| c.cacheable)
            .map(|c| c.request.response_bytes)
            .max()
            .unwrap_or(0);
        if largest > edge.capacity_bytes {
            return Err(Problem::new(
                names.entries[id].2.clone(),
                format!("components.{}.capacity", component.name),
                format!(
                    "{} bytes cannot hold an answer of {largest} bytes (the largest cacheable \
                     response_bytes)",
                    edge.capacity_bytes
                ),
            )
            .with_hint("give the edge more capacity, or leave capacity out"));
        }
    }
    Ok(())
}
