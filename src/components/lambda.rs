//! A Lambda function during a run: execution environments created cold,
//! reused warm and reclaimed after idling; provisioned environments kept
//! warm; the concurrency limit and the scaling rate, beyond which
//! invocations are throttled.
//!
//! AWS (Lambda Developer Guide, scaling behavior and concurrency): each
//! environment serves one invocation at a time; an invocation with no idle
//! environment gets a new one, which first runs its init code (a cold
//! start); a function may add 1,000 environments per 10 seconds, refilled
//! continuously and not accumulated beyond that; concurrency counts busy
//! environments and is limited by the function's reserved concurrency, or
//! else by the account's concurrency left unreserved. Provisioned
//! environments are initialised ahead and serve first; invocations beyond
//! them run on demand. Memory sets the CPU share: a full vCPU at 1,769 MB,
//! and single-threaded code gains nothing beyond one vCPU.
//!
//! Assumptions: an invocation goes to the most recently used idle
//! environment (AWS does not document the choice; this one keeps the
//! fewest environments warm); an idle environment lives for a drawn idle
//! lifetime; the scaling tokens start full.

use super::ReqId;
use crate::engine::random::Stream;
use crate::engine::time::{SimDuration, SimTime};
use crate::scenario::model::LambdaSpec;
use crate::stats::busy::BusyMeter;

/// What an invocation asks the function to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    /// One request (behind a load balancer, an API, or called directly).
    Request(ReqId),
    /// A batch of queue messages, by batch number.
    Batch(u32),
}

/// Invocation counts of a function.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct LambdaCounts {
    /// Invocations started (cold or warm), on demand and provisioned.
    pub invocations: u64,
    /// Of those, on new environments.
    pub cold_starts: u64,
    /// Of those, on provisioned environments.
    pub provisioned_invocations: u64,
    /// Invocations refused (429): at the concurrency limit, or past the
    /// scaling rate.
    pub throttles: u64,
    /// Invocations stopped at the function's timeout.
    pub timeouts: u64,
    /// Billed milliseconds of on-demand invocations (each rounded up to
    /// the millisecond, init included on a cold start).
    pub billed_ms: u64,
    /// Billed milliseconds of invocations on provisioned environments.
    pub provisioned_billed_ms: u64,
}

/// One execution environment.
#[derive(Debug, Clone, Copy)]
struct Environment {
    busy: bool,
    provisioned: bool,
    /// Bumped each time it goes idle, so a reclaim timer set for an earlier
    /// idle spell is ignored.
    generation: u32,
    alive: bool,
}

/// What an invocation found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// An idle environment: it starts at once.
    Warm { env: u32, provisioned: bool },
    /// A new environment: it initialises first.
    Cold { env: u32 },
    /// Refused (429).
    Throttled,
}

/// The account's concurrency left unreserved, shared by the functions
/// without reserved concurrency.
#[derive(Debug, Clone, Copy, Default)]
pub struct SharedConcurrency {
    /// Concurrent executions the unreserved functions may run together.
    pub limit: u32,
    /// Busy environments of those functions.
    pub in_use: u32,
}

/// A function during a run.
#[derive(Debug)]
pub struct Function {
    /// The spec it was built from.
    pub spec: LambdaSpec,
    envs: Vec<Environment>,
    free_slots: Vec<u32>,
    /// Idle on-demand environments, most recently used last, with the
    /// generation they went idle with (stale entries are skipped).
    idle: Vec<(u32, u32)>,
    idle_provisioned: Vec<u32>,
    /// Busy environments: the function's concurrency.
    pub in_use: u32,
    tokens: f64,
    last_refill: SimTime,
    /// Concurrency over time.
    pub concurrency: BusyMeter,
    /// Most environments busy at once since the end of the warm-up.
    pub peak_concurrency: u32,
    /// Environments alive (busy or idle).
    pub alive: u32,
    /// Counts since the end of the warm-up.
    pub counts: LambdaCounts,
    /// Counts since the current window began.
    pub window: LambdaCounts,
    /// Draws waiting (I/O) times.
    pub io_stream: Stream,
    /// Draws init durations.
    pub init_stream: Stream,
    /// Draws idle lifetimes.
    pub idle_stream: Stream,
}

impl Function {
    /// A function with its provisioned environments ready.
    pub fn new(spec: &LambdaSpec, streams: [Stream; 3]) -> Function {
        let [io_stream, init_stream, idle_stream] = streams;
        let mut function = Function {
            spec: spec.clone(),
            envs: Vec::new(),
            free_slots: Vec::new(),
            idle: Vec::new(),
            idle_provisioned: Vec::new(),
            in_use: 0,
            tokens: f64::from(spec.facts.scaling_per_10s),
            last_refill: SimTime::ZERO,
            concurrency: BusyMeter::default(),
            peak_concurrency: 0,
            alive: 0,
            counts: LambdaCounts::default(),
            window: LambdaCounts::default(),
            io_stream,
            init_stream,
            idle_stream,
        };
        for _ in 0..spec.provisioned {
            let env = function.new_env(true);
            function.idle_provisioned.push(env);
        }
        function
    }

    fn new_env(&mut self, provisioned: bool) -> u32 {
        let env = Environment { busy: false, provisioned, generation: 0, alive: true };
        self.alive += 1;
        match self.free_slots.pop() {
            Some(slot) => {
                let generation = self.envs[slot as usize].generation.wrapping_add(1);
                self.envs[slot as usize] = Environment { generation, ..env };
                slot
            }
            None => {
                self.envs.push(env);
                (self.envs.len() - 1) as u32
            }
        }
    }

    /// Places an invocation at `now`: on an idle environment, a new one,
    /// or nowhere. `shared` is the account's unreserved concurrency, used
    /// when the function has none reserved.
    pub fn place(&mut self, now: SimTime, shared: &mut SharedConcurrency) -> Placement {
        let room = match self.spec.reserved {
            Some(reserved) => self.in_use < reserved,
            None => shared.in_use < shared.limit,
        };
        if !room {
            return self.throttled();
        }
        let placement = if let Some(env) = self.idle_provisioned.pop() {
            Placement::Warm { env, provisioned: true }
        } else if let Some(env) = self.pop_idle() {
            Placement::Warm { env, provisioned: false }
        } else {
            self.refill(now);
            if self.tokens < 1.0 {
                return self.throttled();
            }
            self.tokens -= 1.0;
            Placement::Cold { env: self.new_env(false) }
        };
        let env = match placement {
            Placement::Warm { env, .. } | Placement::Cold { env } => env,
            Placement::Throttled => unreachable!("returned above"),
        };
        self.envs[env as usize].busy = true;
        self.in_use += 1;
        if self.spec.reserved.is_none() {
            shared.in_use += 1;
        }
        self.concurrency.set(now, u64::from(self.in_use));
        self.peak_concurrency = self.peak_concurrency.max(self.in_use);
        placement
    }

    fn throttled(&mut self) -> Placement {
        self.counts.throttles += 1;
        self.window.throttles += 1;
        Placement::Throttled
    }

    /// The most recently used live idle environment, if any.
    fn pop_idle(&mut self) -> Option<u32> {
        while let Some((env, generation)) = self.idle.pop() {
            let e = &self.envs[env as usize];
            if e.alive && !e.busy && e.generation == generation {
                return Some(env);
            }
        }
        None
    }

    /// Adds the scaling tokens earned since the last refill.
    fn refill(&mut self, now: SimTime) {
        let per_10s = f64::from(self.spec.facts.scaling_per_10s);
        let earned = now.since(self.last_refill).as_secs_f64() * per_10s / 10.0;
        self.tokens = (self.tokens + earned).min(per_10s);
        self.last_refill = now;
    }

    /// The invocation on `env` has ended at `now`: the environment goes
    /// idle. Returns the reclaim time and generation to schedule, for an
    /// on-demand environment.
    pub fn finish(
        &mut self,
        env: u32,
        now: SimTime,
        shared: &mut SharedConcurrency,
    ) -> Option<(SimTime, u32)> {
        self.in_use -= 1;
        if self.spec.reserved.is_none() {
            shared.in_use -= 1;
        }
        self.concurrency.set(now, u64::from(self.in_use));
        let e = &mut self.envs[env as usize];
        e.busy = false;
        if e.provisioned {
            self.idle_provisioned.push(env);
            return None;
        }
        e.generation = e.generation.wrapping_add(1);
        let generation = e.generation;
        self.idle.push((env, generation));
        let lifetime = self.spec.idle_lifetime.sample(&mut self.idle_stream);
        Some((now + lifetime, generation))
    }

    /// The idle lifetime set with `generation` has run out: the
    /// environment is reclaimed unless it has served since.
    pub fn reclaim(&mut self, env: u32, generation: u32) {
        let e = &mut self.envs[env as usize];
        if e.alive && !e.busy && e.generation == generation {
            e.alive = false;
            self.alive -= 1;
            self.free_slots.push(env);
        }
        if self.idle.len() > 64 && self.idle.len() > 2 * self.alive as usize {
            let envs = &self.envs;
            self.idle.retain(|&(k, g)| {
                let e = &envs[k as usize];
                e.alive && !e.busy && e.generation == g
            });
        }
    }

    /// The run time of one invocation whose CPU work takes `cpu` on one
    /// full vCPU: that work at the function's CPU speed, plus its waiting.
    pub fn run_time(&mut self, cpu: SimDuration) -> SimDuration {
        let speed = self.spec.cpu_speed();
        let mut time = SimDuration::from_secs_f64(cpu.as_secs_f64() / speed);
        if let Some(io) = &self.spec.io {
            time = time + io.sample(&mut self.io_stream);
        }
        time
    }

    /// Counts a started invocation and its billed time: rounded up to the
    /// millisecond, and at least 1 ms (AWS bills no invocation less).
    pub fn count(&mut self, cold: bool, provisioned: bool, billed: SimDuration, timed_out: bool) {
        let ms = billed.as_nanos().div_ceil(1_000_000).max(1);
        for c in [&mut self.counts, &mut self.window] {
            c.invocations += 1;
            c.cold_starts += u64::from(cold);
            c.timeouts += u64::from(timed_out);
            if provisioned {
                c.provisioned_invocations += 1;
                c.provisioned_billed_ms += ms;
            } else {
                c.billed_ms += ms;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::Catalogue;
    use crate::engine::dist::Dist;

    fn function(reserved: Option<u32>, provisioned: u32) -> Function {
        let catalogue = Catalogue::builtin();
        let spec = LambdaSpec {
            memory_mb: 1769,
            arch: crate::catalogue::LambdaArch::X86_64,
            cpu: Dist::Constant(SimDuration::from_millis(10)),
            threads: 1,
            io: None,
            init: Dist::Constant(SimDuration::from_millis(200)),
            idle_lifetime: Dist::Constant(SimDuration::from_secs(600)),
            timeout: SimDuration::from_secs(3),
            reserved,
            provisioned,
            facts: Box::new(catalogue.lambda().clone()),
            price_source: String::new(),
            requests_source: String::new(),
            provisioned_source: String::new(),
        };
        let stream = |n| Stream::new(1, 0, n);
        Function::new(&spec, [stream("io"), stream("init"), stream("idle")])
    }

    #[test]
    fn reuses_warm_environments_and_throttles_at_the_reserved_limit() {
        let mut f = function(Some(2), 0);
        let mut shared = SharedConcurrency { limit: 1000, in_use: 0 };
        let t = SimTime(0);
        assert!(matches!(f.place(t, &mut shared), Placement::Cold { env: 0 }));
        assert!(matches!(f.place(t, &mut shared), Placement::Cold { env: 1 }));
        assert_eq!(f.place(t, &mut shared), Placement::Throttled);
        let (at, generation) = f.finish(1, SimTime(5), &mut shared).unwrap();
        assert_eq!(at, SimTime(5) + SimDuration::from_secs(600));
        assert_eq!(f.place(t, &mut shared), Placement::Warm { env: 1, provisioned: false });
        f.finish(1, SimTime(6), &mut shared);
        f.reclaim(1, generation);
        assert_eq!(f.alive, 2, "a timer from an earlier idle spell is ignored");
        assert_eq!(shared.in_use, 0, "reserved functions use their own concurrency");
    }

    #[test]
    fn provisioned_environments_serve_first_and_never_expire() {
        let mut f = function(None, 1);
        let mut shared = SharedConcurrency { limit: 1000, in_use: 0 };
        assert_eq!(f.place(SimTime(0), &mut shared), Placement::Warm { env: 0, provisioned: true });
        assert_eq!(f.finish(0, SimTime(1), &mut shared), None);
        assert_eq!(shared.in_use, 0);
    }

    #[test]
    fn the_scaling_rate_limits_new_environments() {
        let mut f = function(None, 0);
        let mut shared = SharedConcurrency { limit: 10_000, in_use: 0 };
        let cold = (0..1_500)
            .filter(|_| matches!(f.place(SimTime(0), &mut shared), Placement::Cold { .. }))
            .count();
        assert_eq!(cold, 1_000);
        // One second later, 100 more tokens have been earned.
        let later = SimTime(1_000_000_000);
        let cold = (0..500)
            .filter(|_| matches!(f.place(later, &mut shared), Placement::Cold { .. }))
            .count();
        assert_eq!(cold, 100);
    }
}
