//! One cache node's memory: which keys it holds, in recency order, within
//! its usable bytes, with TTL expiry and an eviction policy.
//!
//! The store is a hash map from key to a slot of a slab, and the slots form
//! a doubly linked list from most to least recently used, so every
//! operation is O(1). Memory is bounded by the node's capacity in items,
//! never by the number of requests.
//!
//! Assumptions: LRU is exact (Redis samples five keys and evicts the
//! oldest of them, which approaches exact LRU); an expired key is dropped
//! when it is next read or chosen for eviction (Redis also expires keys in
//! the background, which frees memory sooner but does not change hits).

use crate::engine::keys::KeyMap;
use crate::engine::time::SimTime;

/// Which key makes room when a new one does not fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Eviction {
    /// The least recently used (`allkeys-lru`; `volatile-lru` when every
    /// key has a TTL).
    Lru,
    /// A key chosen at random (`allkeys-random`).
    Random,
    /// None: a write that does not fit is refused (`noeviction`).
    None,
}

/// No slot.
const NIL: u32 = u32::MAX;

/// A cached item.
#[derive(Debug, Clone, Copy)]
struct Entry {
    key: u64,
    bytes: u32,
    /// `SimTime(u64::MAX)` when the item never expires.
    expires: SimTime,
    newer: u32,
    older: u32,
}

/// What a write did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    /// The item is in the cache.
    Yes,
    /// The item does not fit and the policy evicts nothing.
    Refused,
}

/// One node's items.
#[derive(Debug)]
pub struct Store {
    capacity_bytes: u64,
    used_bytes: u64,
    eviction: Eviction,
    map: KeyMap<u32>,
    slots: Vec<Entry>,
    free: Vec<u32>,
    newest: u32,
    oldest: u32,
    /// State of the generator that picks random victims.
    random_state: u64,
    /// Items evicted to make room, since the counters were last taken.
    pub evictions: u64,
    /// Items found expired, since the counters were last taken.
    pub expirations: u64,
}

impl Store {
    /// An empty store of `capacity_bytes` usable bytes.
    pub fn new(capacity_bytes: u64, eviction: Eviction, seed: u64) -> Store {
        Store {
            capacity_bytes,
            used_bytes: 0,
            eviction,
            map: KeyMap::default(),
            slots: Vec::new(),
            free: Vec::new(),
            newest: NIL,
            oldest: NIL,
            random_state: seed,
            evictions: 0,
            expirations: 0,
        }
    }

    /// Items held.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True when the store holds nothing.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Bytes the items take.
    pub fn used_bytes(&self) -> u64 {
        self.used_bytes
    }

    /// Usable bytes.
    pub fn capacity_bytes(&self) -> u64 {
        self.capacity_bytes
    }

    /// True when `key` is held and fresh at `now`; a hit makes it the most
    /// recently used.
    pub fn get(&mut self, key: u64, now: SimTime) -> bool {
        let Some(&slot) = self.map.get(&key) else { return false };
        if self.slots[slot as usize].expires <= now {
            self.expirations += 1;
            self.remove_slot(slot);
            return false;
        }
        self.unlink(slot);
        self.link_newest(slot);
        true
    }

    /// Stores `key` (`bytes` long, expiring at `expires`), making room by
    /// the eviction policy.
    pub fn set(&mut self, key: u64, bytes: u32, expires: SimTime, now: SimTime) -> Stored {
        if let Some(&slot) = self.map.get(&key) {
            self.remove_slot(slot);
        }
        if u64::from(bytes) > self.capacity_bytes {
            return Stored::Refused;
        }
        while self.used_bytes + u64::from(bytes) > self.capacity_bytes {
            let victim = match self.eviction {
                Eviction::None => return Stored::Refused,
                Eviction::Lru => self.oldest,
                Eviction::Random => self.random_slot(),
            };
            if self.slots[victim as usize].expires <= now {
                self.expirations += 1;
            } else {
                self.evictions += 1;
            }
            self.remove_slot(victim);
        }
        let entry = Entry { key, bytes, expires, newer: NIL, older: NIL };
        let slot = match self.free.pop() {
            Some(slot) => {
                self.slots[slot as usize] = entry;
                slot
            }
            None => {
                self.slots.push(entry);
                (self.slots.len() - 1) as u32
            }
        };
        self.map.insert(key, slot);
        self.used_bytes += u64::from(bytes);
        self.link_newest(slot);
        Stored::Yes
    }

    /// Drops `key` if held (a write's invalidation).
    pub fn remove(&mut self, key: u64) {
        if let Some(&slot) = self.map.get(&key) {
            self.remove_slot(slot);
        }
    }

    /// Drops everything (a flush, or a node replaced empty).
    pub fn clear(&mut self) {
        self.map.clear();
        self.slots.clear();
        self.free.clear();
        self.newest = NIL;
        self.oldest = NIL;
        self.used_bytes = 0;
    }

    /// A held item's slot, chosen uniformly: slots are drawn until one is
    /// in use (a slab with holes left by invalidations stays mostly full,
    /// since new items fill the holes first).
    fn random_slot(&mut self) -> u32 {
        loop {
            self.random_state = self.random_state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.random_state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            let slot = ((u128::from(z) * self.slots.len() as u128) >> 64) as u32;
            let entry = &self.slots[slot as usize];
            if self.map.get(&entry.key) == Some(&slot) {
                return slot;
            }
        }
    }

    fn remove_slot(&mut self, slot: u32) {
        let entry = self.slots[slot as usize];
        self.unlink(slot);
        self.map.remove(&entry.key);
        self.used_bytes -= u64::from(entry.bytes);
        self.free.push(slot);
    }

    fn unlink(&mut self, slot: u32) {
        let Entry { newer, older, .. } = self.slots[slot as usize];
        match newer {
            NIL => self.newest = older,
            n => self.slots[n as usize].older = older,
        }
        match older {
            NIL => self.oldest = newer,
            o => self.slots[o as usize].newer = newer,
        }
    }

    fn link_newest(&mut self, slot: u32) {
        let previous = self.newest;
        {
            let entry = &mut self.slots[slot as usize];
            entry.newer = NIL;
            entry.older = previous;
        }
        match previous {
            NIL => self.oldest = slot,
            p => self.slots[p as usize].newer = slot,
        }
        self.newest = slot;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NEVER: SimTime = SimTime(u64::MAX);

    #[test]
    fn lru_evicts_the_least_recently_used() {
        let mut store = Store::new(30, Eviction::Lru, 1);
        let now = SimTime(0);
        for key in 1..=3 {
            assert_eq!(store.set(key, 10, NEVER, now), Stored::Yes);
        }
        assert!(store.get(1, now));
        store.set(4, 10, NEVER, now);
        assert!(!store.get(2, now), "2 was the least recently used");
        assert!(store.get(1, now) && store.get(3, now) && store.get(4, now));
        assert_eq!((store.len(), store.used_bytes(), store.evictions), (3, 30, 1));
    }

    #[test]
    fn expired_items_miss_and_noeviction_refuses() {
        let mut store = Store::new(20, Eviction::None, 1);
        store.set(1, 10, SimTime(5), SimTime(0));
        store.set(2, 10, NEVER, SimTime(0));
        assert!(store.get(1, SimTime(4)));
        assert!(!store.get(1, SimTime(5)));
        assert_eq!(store.expirations, 1);
        store.set(3, 10, NEVER, SimTime(6));
        assert_eq!(store.set(4, 10, NEVER, SimTime(6)), Stored::Refused);
        store.remove(2);
        assert_eq!(store.set(4, 10, NEVER, SimTime(6)), Stored::Yes);
        assert_eq!(store.set(5, 30, NEVER, SimTime(6)), Stored::Refused);
    }

    #[test]
    fn random_eviction_keeps_within_capacity() {
        let mut store = Store::new(1_000, Eviction::Random, 9);
        for key in 0..10_000 {
            store.set(key, 10, NEVER, SimTime(0));
            assert!(store.used_bytes() <= 1_000);
        }
        assert_eq!(store.len(), 100);
        assert_eq!(store.evictions, 9_900);
        store.clear();
        assert!(store.is_empty() && store.used_bytes() == 0);
    }
}
