//! Shrinking.

use runtime::hart::Priv;

use super::block::{BlockSpec, Item, INIT_CSR_NAMES};
use super::compare::{failure, run_all, Failure};
use super::machine::Runner;

struct Shrinker<'a> {
    runners: &'a mut [Box<dyn Runner>],
    /// The original failure: a candidate must fail the same way (so
    /// shrinking a divergence does not drift to an unrelated panic).
    target: Option<Failure>,
    best: BlockSpec,
    runs: usize,
    budget: usize,
}

fn seq_paths(items: &[Item], prefix: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
    out.push(prefix.clone());
    for (i, it) in items.iter().enumerate() {
        if let Item::Loop { body, .. } | Item::Call { body, .. } = it {
            prefix.push(i);
            seq_paths(body, prefix, out);
            prefix.pop();
        }
    }
}

fn seq_mut<'a>(items: &'a mut Vec<Item>, path: &[usize]) -> Option<&'a mut Vec<Item>> {
    match path.split_first() {
        None => Some(items),
        Some((&i, rest)) => match items.get_mut(i)? {
            Item::Loop { body, .. } | Item::Call { body, .. } => seq_mut(body, rest),
            _ => None,
        },
    }
}

fn seq_len(items: &[Item], path: &[usize]) -> Option<usize> {
    match path.split_first() {
        None => Some(items.len()),
        Some((&i, rest)) => match items.get(i)? {
            Item::Loop { body, .. } | Item::Call { body, .. } => seq_len(body, rest),
            _ => None,
        },
    }
}

/// A value of the initial state the shrinker simplifies.
#[derive(Clone, Copy)]
enum Field {
    X(usize),
    Csr(usize),
}

impl Field {
    fn get(self, s: &BlockSpec) -> u64 {
        match self {
            Field::X(i) => s.init.x[i],
            Field::Csr(i) => s.init.csrs.field(i),
        }
    }

    fn set(self, s: &mut BlockSpec, v: u64) {
        match self {
            Field::X(i) => s.init.x[i] = v,
            Field::Csr(i) => *s.init.csrs.field_mut(i) = v,
        }
    }
}

impl Shrinker<'_> {
    /// Keeps `cand` if it still diverges.
    fn attempt(&mut self, cand: BlockSpec) -> bool {
        if self.runs >= self.budget || cand == self.best {
            return false;
        }
        self.runs += 1;
        let snaps = run_all(self.runners, &cand.assemble());
        if failure(&snaps).is_some() && failure(&snaps) == self.target {
            self.best = cand;
            true
        } else {
            false
        }
    }

    /// Removes chunks of items (halving the chunk size down to one item),
    /// loop bodies first.
    fn remove_items(&mut self) -> bool {
        let mut progress = false;
        let mut paths = Vec::new();
        seq_paths(&self.best.items, &mut Vec::new(), &mut paths);
        for path in paths.iter().rev() {
            let Some(len) = seq_len(&self.best.items, path) else {
                continue;
            };
            let mut chunk = len.max(1);
            loop {
                let mut i = 0;
                while i < seq_len(&self.best.items, path).unwrap_or(0) {
                    let mut cand = self.best.clone();
                    let seq = seq_mut(&mut cand.items, path).expect("path checked");
                    let end = (i + chunk).min(seq.len());
                    seq.drain(i..end);
                    if self.attempt(cand) {
                        progress = true;
                    } else {
                        i += chunk;
                    }
                }
                if chunk == 1 {
                    break;
                }
                chunk = chunk.div_ceil(2);
            }
        }
        progress
    }

    /// Replaces loops and calls by their bodies, or makes loops run once.
    fn simplify_loops(&mut self) -> bool {
        let mut progress = false;
        let mut paths = Vec::new();
        seq_paths(&self.best.items, &mut Vec::new(), &mut paths);
        for path in paths.iter().skip(1).rev() {
            let (&last, parent) = path.split_last().expect("a loop path");
            let mut cand = self.best.clone();
            let Some(seq) = seq_mut(&mut cand.items, parent) else {
                continue;
            };
            let (Some(Item::Loop { body, .. }) | Some(Item::Call { body, .. })) =
                seq.get(last).cloned()
            else {
                continue;
            };
            let tail = seq.split_off(last + 1);
            seq.pop();
            seq.extend(body);
            seq.extend(tail);
            if self.attempt(cand) {
                progress = true;
                continue;
            }
            let mut cand = self.best.clone();
            if let Some(Item::Loop { n, .. }) =
                seq_mut(&mut cand.items, parent).and_then(|s| s.get_mut(last))
            {
                if *n > 1 {
                    *n = 1;
                    progress |= self.attempt(cand);
                }
            }
        }
        progress
    }

    /// Makes one value smaller while the block still diverges.
    fn shrink_field(&mut self, f: Field) -> bool {
        let mut progress = false;
        loop {
            let v = f.get(&self.best);
            if v == 0 || self.runs >= self.budget {
                break;
            }
            let top = 1u64 << (63 - v.leading_zeros());
            let cands = [
                0,
                1,
                v & 0xffff_ffff,
                v & 0xffff,
                v >> 1,
                v & !top,
                v & (v - 1),
            ];
            let mut tried = Vec::new();
            let mut any = false;
            for c in cands {
                if c >= v || tried.contains(&c) {
                    continue;
                }
                tried.push(c);
                let mut cand = self.best.clone();
                f.set(&mut cand, c);
                if self.attempt(cand) {
                    any = true;
                    break;
                }
            }
            if !any {
                break;
            }
            progress = true;
        }
        progress
    }

    fn simplify_init(&mut self) -> bool {
        let mut progress = false;
        let mut cand = self.best.clone();
        cand.init.prv = Priv::M;
        progress |= self.attempt(cand);
        let mut cand = self.best.clone();
        cand.init.code_off = 0;
        progress |= self.attempt(cand);
        let mut cand = self.best.clone();
        cand.init.data = None;
        progress |= self.attempt(cand);
        // FP state: all at once, then register by register (zero, or +1.0
        // as a boxed single / a double), then fflags.
        if self.best.init.f != [0; 32] {
            let mut cand = self.best.clone();
            cand.init.f = [0; 32];
            progress |= self.attempt(cand);
        }
        for i in 0..32 {
            for v in [0, 0xffff_ffff_3f80_0000, 0x3ff0_0000_0000_0000] {
                if self.best.init.f[i] == v {
                    break;
                }
                let mut cand = self.best.clone();
                cand.init.f[i] = v;
                if self.attempt(cand) {
                    progress = true;
                    break;
                }
            }
        }
        if self.best.init.fcsr & 0x1f != 0 {
            let mut cand = self.best.clone();
            cand.init.fcsr &= !0x1f;
            progress |= self.attempt(cand);
        }
        for i in 0..INIT_CSR_NAMES.len() {
            progress |= self.shrink_field(Field::Csr(i));
        }
        for i in 1..32 {
            progress |= self.shrink_field(Field::X(i));
        }
        progress
    }
}

/// Shrinks a diverging block: fewer items, loops unrolled, simpler values.
/// Returns the smallest block found that still diverges and how many runs
/// it took (at most `budget`).
pub fn shrink(
    runners: &mut [Box<dyn Runner>],
    spec: &BlockSpec,
    budget: usize,
) -> (BlockSpec, usize) {
    let target = failure(&run_all(runners, &spec.assemble()));
    let mut s = Shrinker {
        runners,
        target,
        best: spec.clone(),
        runs: 0,
        budget,
    };
    loop {
        let mut progress = s.remove_items();
        progress |= s.simplify_loops();
        progress |= s.simplify_init();
        if !progress || s.runs >= s.budget {
            break;
        }
    }
    (s.best, s.runs)
}
