//! The writer of `measured.json`: pretty JSON whose lists of numbers stay
//! on one line.

use serde::Serialize;

use super::Measured;

impl Measured {
    /// The file's text: indented JSON, each list of numbers (a point's runs)
    /// on one line.
    pub fn to_json(&self) -> String {
        let mut out = Vec::new();
        let mut ser = serde_json::Serializer::with_formatter(&mut out, ShortLists::default());
        self.serialize(&mut ser).expect("plain data serialises");
        let mut text = String::from_utf8(out).expect("JSON is UTF-8");
        text.push('\n');
        text
    }
}

/// Where an array is: not yet known (empty so far), on one line (its first
/// element was a scalar), or one element per line.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ListMode {
    Pending,
    Inline,
    Block,
}

/// Like serde_json's pretty printer (two spaces), but an array whose first
/// element is a scalar stays on one line.
#[derive(Default)]
struct ShortLists {
    indent: usize,
    lists: Vec<ListMode>,
    /// Set between `begin_array_value` and the value's first byte.
    pending: Option<bool>,
    /// Whether the innermost open object has a member.
    members: Vec<bool>,
}

impl ShortLists {
    fn newline<W: ?Sized + std::io::Write>(&self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b"\n")?;
        for _ in 0..self.indent {
            w.write_all(b"  ")?;
        }
        Ok(())
    }

    /// Before a value's first byte: the separator its array needs.
    fn value<W: ?Sized + std::io::Write>(&mut self, w: &mut W, container: bool) -> std::io::Result<()> {
        let Some(first) = self.pending.take() else { return Ok(()) };
        let mode = self.lists.last_mut().expect("a value in an array");
        if *mode == ListMode::Pending {
            *mode = if container { ListMode::Block } else { ListMode::Inline };
        }
        match *mode {
            ListMode::Inline if !first => w.write_all(b", "),
            ListMode::Block => {
                if !first {
                    w.write_all(b",")?;
                }
                self.newline(w)
            }
            _ => Ok(()),
        }
    }
}

macro_rules! scalar {
    ($($name:ident: $t:ty),*) => {$(
        fn $name<W: ?Sized + std::io::Write>(&mut self, w: &mut W, v: $t) -> std::io::Result<()> {
            self.value(w, false)?;
            serde_json::ser::CompactFormatter.$name(w, v)
        }
    )*};
}

impl serde_json::ser::Formatter for ShortLists {
    scalar!(write_bool: bool, write_i8: i8, write_i16: i16, write_i32: i32, write_i64: i64, write_i128: i128,
        write_u8: u8, write_u16: u16, write_u32: u32, write_u64: u64, write_u128: u128, write_f32: f32,
        write_f64: f64, write_number_str: &str, write_raw_fragment: &str);

    fn write_null<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.value(w, false)?;
        w.write_all(b"null")
    }

    fn begin_string<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.value(w, false)?;
        w.write_all(b"\"")
    }

    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.value(w, true)?;
        self.lists.push(ListMode::Pending);
        self.indent += 1;
        w.write_all(b"[")
    }

    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.indent -= 1;
        if self.lists.pop() == Some(ListMode::Block) {
            self.newline(w)?;
        }
        w.write_all(b"]")
    }

    fn begin_array_value<W: ?Sized + std::io::Write>(&mut self, _: &mut W, first: bool) -> std::io::Result<()> {
        self.pending = Some(first);
        Ok(())
    }

    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, _: &mut W) -> std::io::Result<()> {
        Ok(())
    }

    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.value(w, true)?;
        self.indent += 1;
        self.members.push(false);
        w.write_all(b"{")
    }

    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.indent -= 1;
        if self.members.pop() == Some(true) {
            self.newline(w)?;
        }
        w.write_all(b"}")
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(&mut self, w: &mut W, first: bool) -> std::io::Result<()> {
        if let Some(m) = self.members.last_mut() {
            *m = true;
        }
        if !first {
            w.write_all(b",")?;
        }
        self.newline(w)
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b": ")
    }
}
