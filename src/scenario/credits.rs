//! Checking the CPU-credit keys of a burstable fleet (`cpu_credits`,
//! `initial_credits`).

use super::build::Defaults;
use super::error::Problem;
use super::model::{CreditMode, CreditSpec};
use super::raw::RawEc2;
use crate::catalogue::{Catalogue, Ec2Type};

/// The credit settings of a fleet of `instance_type`: `None` for types that
/// are not burstable (which then may not set the keys).
pub(super) fn credits(
    raw: &RawEc2,
    key: &str,
    instance_type: &Ec2Type,
    catalogue: &Catalogue,
    defaults: &mut Defaults,
) -> Result<Option<Box<CreditSpec>>, Problem> {
    let Some(facts) = &instance_type.burstable else {
        let stray = raw.cpu_credits.as_ref().map(|v| ("cpu_credits", v.span()));
        let stray = stray.or(raw.initial_credits.as_ref().map(|v| ("initial_credits", v.span())));
        if let Some((name, span)) = stray {
            return Err(Problem::new(
                span,
                format!("{key}.{name}"),
                format!(
                    "{} is not a burstable type: CPU credits apply to t3 and t4g",
                    instance_type.name
                ),
            ));
        }
        return Ok(None);
    };
    let mode = match &raw.cpu_credits {
        None => {
            defaults.used(
                format!("{key}.cpu_credits"),
                "unlimited",
                "AWS: T4g, T3a and T3 instances launch as unlimited by default (EC2 User Guide, \
                 burstable performance instances)",
            );
            CreditMode::Unlimited
        }
        Some(v) => match v.get_ref().as_str() {
            "standard" => CreditMode::Standard,
            "unlimited" => CreditMode::Unlimited,
            other => {
                return Err(Problem::new(
                    v.span(),
                    format!("{key}.cpu_credits"),
                    format!("`{other}`: expected standard or unlimited"),
                ));
            }
        },
    };
    let initial = match &raw.initial_credits {
        None => {
            defaults.used(
                format!("{key}.initial_credits"),
                "0",
                "AWS: only T2 standard instances receive launch credits; T3 and T4g start \
                 with a zero balance and earn from launch (EC2 User Guide, CPU credits)",
            );
            0.0
        }
        Some(v) => {
            let n = *v.get_ref();
            let max = f64::from(facts.max_credits);
            if !(0.0..=max).contains(&n) {
                return Err(Problem::new(
                    v.span(),
                    format!("{key}.initial_credits"),
                    format!(
                        "{n} is out of range: a {} holds from 0 to {max} credits (24 hours of earnings)",
                        instance_type.name
                    ),
                ));
            }
            n
        }
    };
    let surplus_price_source = catalogue.cite(&facts.surplus);
    Ok(Some(Box::new(CreditSpec { mode, initial, surplus_price_source })))
}
