//! Where a field path (`threads[0].program[2].python`) sits in a YAML source.
//!
//! serde_yaml reports positions for the errors it finds itself; errors found
//! after deserialising (a zero core count, a program that never ends) only
//! know their field path. This module replays the source through a YAML event
//! parser that keeps positions, and records where every path starts.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

/// A position in the source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// Byte offset.
    pub offset: usize,
}

/// Positions of every field path of a YAML document.
#[derive(Clone, Debug, Default)]
pub struct Locator {
    positions: HashMap<String, Position>,
}

enum Frame {
    Map { path: String, key: Option<String> },
    Seq { path: String, index: usize },
}

#[derive(Default)]
struct Collector {
    stack: Vec<Frame>,
    positions: HashMap<String, Position>,
}

fn position(mark: Marker) -> Position {
    // yaml-rust2 counts lines from 1 and columns from 0.
    Position { line: mark.line(), column: mark.col() + 1, offset: mark.index() }
}

impl Collector {
    /// The path of the node starting now, recording `mark` for it (a map
    /// value keeps its key's position, which is where a reader looks).
    fn node_path(&mut self, mark: Marker) -> Option<String> {
        match self.stack.last_mut() {
            None => Some(String::new()),
            Some(Frame::Seq { path, index }) => {
                let p = format!("{path}[{index}]");
                self.positions.entry(p.clone()).or_insert(position(mark));
                Some(p)
            }
            Some(Frame::Map { path, key: Some(key) }) => {
                let p = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
                Some(p)
            }
            Some(Frame::Map { key: None, .. }) => None,
        }
    }

    /// A node finished: its parent moves on.
    fn done(&mut self) {
        match self.stack.last_mut() {
            Some(Frame::Seq { index, .. }) => *index += 1,
            Some(Frame::Map { key, .. }) => *key = None,
            None => {}
        }
    }
}

impl MarkedEventReceiver for Collector {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        match ev {
            Event::Scalar(value, ..) => {
                if let Some(Frame::Map { path, key: key @ None }) = self.stack.last_mut() {
                    // A key: the value's path starts here.
                    let p = if path.is_empty() { value.clone() } else { format!("{path}.{value}") };
                    self.positions.entry(p).or_insert(position(mark));
                    *key = Some(value);
                    return;
                }
                self.node_path(mark);
                self.done();
            }
            Event::Alias(_) => {
                self.node_path(mark);
                self.done();
            }
            Event::MappingStart(..) => {
                let path = self.node_path(mark).unwrap_or_default();
                self.positions.entry(path.clone()).or_insert(position(mark));
                self.stack.push(Frame::Map { path, key: None });
            }
            Event::SequenceStart(..) => {
                let path = self.node_path(mark).unwrap_or_default();
                self.positions.entry(path.clone()).or_insert(position(mark));
                self.stack.push(Frame::Seq { path, index: 0 });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
                self.done();
            }
            _ => {}
        }
    }
}

impl Locator {
    /// Indexes `source`; a source the YAML parser rejects gives an empty index.
    pub fn new(source: &str) -> Locator {
        let mut collector = Collector::default();
        let mut parser = Parser::new_from_str(source);
        if parser.load(&mut collector, false).is_err() {
            return Locator::default();
        }
        Locator { positions: collector.positions }
    }

    /// Where `path` starts, or where its closest existing ancestor does (a
    /// defaulted field has no position of its own).
    pub fn find(&self, path: &str) -> Option<Position> {
        let mut p = path;
        loop {
            if let Some(pos) = self.positions.get(p) {
                return Some(*pos);
            }
            let cut = p.rfind(['.', '['])?;
            p = &p[..cut];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_paths_in_block_and_flow_styles() {
        let src = "machine: {cores: 2}\ngil:\n  model: new\nthreads:\n  - {name: worker, program: [{python: 1s}, {io: 2ms}]}\n  - name: other\n    program:\n      - python: 5ms\n";
        let loc = Locator::new(src);
        let at = |p: &str| loc.find(p).map(|pos| (pos.line, pos.column));
        assert_eq!(at("machine"), Some((1, 1)));
        assert_eq!(at("machine.cores"), Some((1, 11)));
        assert_eq!(at("gil.model"), Some((3, 3)));
        assert_eq!(at("threads[0]"), Some((5, 5)));
        assert_eq!(at("threads[0].program[1]"), Some((5, 44)));
        assert_eq!(at("threads[0].program[1].io"), Some((5, 45)));
        assert_eq!(at("threads[1].program[0].python"), Some((8, 9)));
        // A defaulted field falls back to its closest ancestor.
        assert_eq!(at("gil.switch_interval"), Some((2, 1)));
        assert_eq!(at("nothing.here"), None);
    }
}
