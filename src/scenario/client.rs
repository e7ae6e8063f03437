//! Building `[client]`: timeouts, retries, backoff and the retry budget.

use toml::Spanned;

use super::build::Defaults;
use super::error::Problem;
use super::model::{Backoff, ClientSpec, Jitter, RetryBudgetSpec};
use super::raw::RawClient;
use super::values;
use crate::engine::time::SimDuration;

/// The client of a scenario; without `[client]`, one attempt and no
/// timeout.
pub fn build_client(
    raw: Option<&Spanned<RawClient>>,
    defaults: &mut Defaults,
) -> Result<ClientSpec, Problem> {
    let no_retry =
        Backoff { base: SimDuration::ZERO, cap: SimDuration::ZERO, jitter: Jitter::None };
    let Some(raw) = raw else {
        return Ok(ClientSpec {
            timeout: None,
            max_attempts: 1,
            backoff: no_retry,
            retry_budget: None,
        });
    };
    let r = raw.get_ref();
    let timeout =
        r.timeout.as_ref().map(|t| values::positive_duration(t, "client.timeout")).transpose()?;
    let max_attempts = match &r.max_attempts {
        Some(n) => values::integer_in(n, "client.max_attempts", 1, 100)?,
        None => {
            defaults.used("client.max_attempts", "3", "AWS SDKs and Tools reference guide, Retry behavior: standard mode makes three attempts");
            3
        }
    };
    let backoff = match &r.backoff {
        Some(b) => backoff(b.get_ref())?,
        None if max_attempts > 1 => {
            defaults.used(
                "client.backoff",
                "{ base = \"100ms\", cap = \"20s\", jitter = \"full\" }",
                "AWS SDKs standard retry mode: exponential backoff with full jitter, at most 20 s; base 100 ms as in the AWS SDK for JavaScript v3",
            );
            Backoff {
                base: SimDuration::from_millis(100),
                cap: SimDuration::from_secs(20),
                jitter: Jitter::Full,
            }
        }
        None => no_retry,
    };
    let retry_budget = match &r.retry_budget {
        Some(b) => Some(budget(b.get_ref(), defaults)?),
        None => None,
    };
    Ok(ClientSpec { timeout, max_attempts, backoff, retry_budget })
}

/// `[client.backoff]`.
fn backoff(raw: &super::raw::RawBackoff) -> Result<Backoff, Problem> {
    let base = values::duration(&raw.base, "client.backoff.base")?;
    let cap = match &raw.cap {
        Some(c) => values::duration(c, "client.backoff.cap")?,
        None => SimDuration(base.as_nanos().saturating_mul(1 << 10)),
    };
    if cap < base {
        let span = raw.cap.as_ref().map_or(raw.base.span(), |c| c.span());
        return Err(Problem::new(
            span,
            "client.backoff.cap",
            "the cap is shorter than the base delay",
        ));
    }
    let jitter = match raw.jitter.as_ref().map(|j| (j.get_ref().as_str(), j.span())) {
        None | Some(("full", _)) => Jitter::Full,
        Some(("none", _)) => Jitter::None,
        Some(("equal", _)) => Jitter::Equal,
        Some((other, span)) => {
            return Err(Problem::new(
                span,
                "client.backoff.jitter",
                format!("`{other}`: expected none, full or equal"),
            ));
        }
    };
    Ok(Backoff { base, cap, jitter })
}

/// `[client.retry_budget]`.
fn budget(
    raw: &super::raw::RawRetryBudget,
    defaults: &mut Defaults,
) -> Result<RetryBudgetSpec, Problem> {
    let ratio = *raw.ratio.get_ref();
    if !(0.0..=10.0).contains(&ratio) {
        return Err(Problem::new(
            raw.ratio.span(),
            "client.retry_budget.ratio",
            format!("{ratio}: expected 0 to 10 retries per first attempt"),
        ));
    }
    let min_per_s = match &raw.min_per_s {
        Some(m) if !(*m.get_ref() >= 0.0 && m.get_ref().is_finite()) => {
            return Err(Problem::new(
                m.span(),
                "client.retry_budget.min_per_s",
                "expected a number of 0 or more",
            ));
        }
        Some(m) => *m.get_ref(),
        None => {
            defaults.used(
                "client.retry_budget.min_per_s",
                "10",
                "Finagle RetryBudget: 10 retries per second always allowed",
            );
            10.0
        }
    };
    Ok(RetryBudgetSpec { ratio, min_per_s })
}
