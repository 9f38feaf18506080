//! The renderers' small caches (pipelines, shader modules and programs, samplers, image views):
//! tens of entries, found by comparing keys. A HashMap cost ~1–2 KB of the module per key type
//! (hashbrown's table and SipHash); this is a loop.

pub struct Cache<K, V>(Vec<(K, V)>);

impl<K, V> Default for Cache<K, V> {
    fn default() -> Self {
        Cache(Vec::new())
    }
}

impl<K: PartialEq, V> Cache<K, V> {
    pub fn get(&self, key: &K) -> Option<&V> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The value for `key`, made by `make` the first time.
    pub fn get_or_insert_with(&mut self, key: K, make: impl FnOnce() -> V) -> &mut V {
        let i = match self.0.iter().position(|(k, _)| *k == key) {
            Some(i) => i,
            None => {
                self.0.push((key, make()));
                self.0.len() - 1
            }
        };
        &mut self.0[i].1
    }

    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.0.iter().map(|(_, v)| v)
    }

    pub fn clear(&mut self) {
        self.0.clear();
    }
}

impl<K: PartialEq, V> FromIterator<(K, V)> for Cache<K, V> {
    /// Keeps the first value of a key given twice.
    fn from_iter<I: IntoIterator<Item = (K, V)>>(items: I) -> Self {
        let mut out = Cache::default();
        for (k, v) in items {
            out.get_or_insert_with(k, || v);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_key_is_made_once_and_found_again() {
        let mut c = super::Cache::default();
        let mut made = 0;
        for k in [3, 1, 3, 2, 1] {
            c.get_or_insert_with(k, || {
                made += 1;
                k * 10
            });
        }
        assert_eq!((made, c.get(&3), c.get(&2), c.get(&4)), (3, Some(&30), Some(&20), None));
        assert_eq!(c.values().copied().collect::<Vec<_>>(), [30, 10, 20]);
        let pairs: super::Cache<_, _> = [(1, 'a'), (1, 'b')].into_iter().collect();
        assert_eq!(pairs.get(&1), Some(&'a'));
        c.clear();
        assert_eq!(c.get(&3), None);
    }
}
