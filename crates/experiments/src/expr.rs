//! Arithmetic over named values, and claims comparing two expressions.
//!
//! Used by experiment definitions (`speedup: "seq / four"`) and by notes
//! (`{{claim: countdown.speedup < 1.2}}`). Grammar:
//!
//! ```text
//! claim := expr op expr [ "+-" number ]        op: < <= > >= ~=
//! expr  := term (("+" | "-") term)*
//! term  := unary (("*" | "/") unary)*
//! unary := "-" unary | atom
//! atom  := number | name | func "(" expr ("," expr)* ")" | "(" expr ")"
//! name  := [A-Za-z_][A-Za-z0-9_.-]*     func: min max abs
//! ```
//!
//! `a ~= b +- t` holds when `|a - b| <= t`; `a ~= b +- 5%` when
//! `|a - b| <= 0.05 * |b|`.

use std::fmt;

/// A parsed expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// A literal.
    Num(f64),
    /// A named value.
    Name(String),
    /// Negation.
    Neg(Box<Expr>),
    /// A binary operation.
    Bin(BinOp, Box<Expr>, Box<Expr>),
    /// A function of its arguments.
    Call(Func, Vec<Expr>),
}

/// `+ - * /`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
}

/// The functions an expression may call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Func {
    /// The smallest argument.
    Min,
    /// The largest argument.
    Max,
    /// The absolute value of its one argument.
    Abs,
}

impl Func {
    /// The function of a name, if there is one.
    pub fn named(name: &str) -> Option<Func> {
        match name {
            "min" => Some(Func::Min),
            "max" => Some(Func::Max),
            "abs" => Some(Func::Abs),
            _ => None,
        }
    }
}

/// A comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `~=` (within a tolerance)
    Approx,
}

/// How far `~=` may be off.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Tolerance {
    /// An absolute difference.
    Abs(f64),
    /// A fraction of the right-hand side.
    Rel(f64),
}

/// `left op right`, checked when the site is built.
#[derive(Clone, Debug, PartialEq)]
pub struct Claim {
    /// Left side.
    pub left: Expr,
    /// The comparison.
    pub op: Op,
    /// Right side.
    pub right: Expr,
    /// Tolerance of `~=`.
    pub tolerance: Option<Tolerance>,
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Op::Lt => "<",
            Op::Le => "≤",
            Op::Gt => ">",
            Op::Ge => "≥",
            Op::Approx => "≈",
        })
    }
}

impl Expr {
    /// Every name the expression uses, in order of appearance.
    pub fn names(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.collect(&mut out);
        out
    }

    fn collect<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Expr::Num(_) => {}
            Expr::Name(n) => out.push(n),
            Expr::Neg(e) => e.collect(out),
            Expr::Bin(_, a, b) => {
                a.collect(out);
                b.collect(out);
            }
            Expr::Call(_, args) => args.iter().for_each(|a| a.collect(out)),
        }
    }

    /// Evaluates with `lookup` resolving names.
    pub fn eval(&self, lookup: &mut dyn FnMut(&str) -> Result<f64, String>) -> Result<f64, String> {
        Ok(match self {
            Expr::Num(v) => *v,
            Expr::Name(n) => lookup(n)?,
            Expr::Neg(e) => -e.eval(lookup)?,
            Expr::Bin(op, a, b) => {
                let (a, b) = (a.eval(lookup)?, b.eval(lookup)?);
                match op {
                    BinOp::Add => a + b,
                    BinOp::Sub => a - b,
                    BinOp::Mul => a * b,
                    BinOp::Div if b == 0.0 => return Err("division by zero".into()),
                    BinOp::Div => a / b,
                }
            }
            Expr::Call(f, args) => {
                let vals = args.iter().map(|a| a.eval(lookup)).collect::<Result<Vec<_>, _>>()?;
                match (f, vals.as_slice()) {
                    (Func::Min, _) => vals.iter().copied().fold(f64::INFINITY, f64::min),
                    (Func::Max, _) => vals.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                    (Func::Abs, [v]) => v.abs(),
                    (Func::Abs, _) => return Err("abs takes one argument".into()),
                }
            }
        })
    }
}

impl Claim {
    /// Whether the claim holds for these values.
    pub fn holds(&self, left: f64, right: f64) -> bool {
        match self.op {
            Op::Lt => left < right,
            Op::Le => left <= right,
            Op::Gt => left > right,
            Op::Ge => left >= right,
            Op::Approx => {
                let tol = match self.tolerance {
                    Some(Tolerance::Abs(t)) => t,
                    Some(Tolerance::Rel(r)) => r * right.abs(),
                    None => 0.0,
                };
                (left - right).abs() <= tol
            }
        }
    }
}

struct Parser<'a> {
    src: &'a str,
    pos: usize,
    /// Open parentheses and signs, and operators so far: evaluating and
    /// dropping an expression recurse through its tree, so it is bounded.
    depth: usize,
    ops: usize,
}

/// Most nesting (parentheses, signs) and most operators in an expression.
const MAX_DEPTH: usize = 64;
const MAX_OPS: usize = 256;

/// Parses an expression.
pub fn parse_expr(src: &str) -> Result<Expr, String> {
    let mut p = Parser { src, pos: 0, depth: 0, ops: 0 };
    let e = p.expr()?;
    p.skip();
    if p.pos < src.len() {
        return Err(format!("unexpected `{}` at column {}", &src[p.pos..], p.pos + 1));
    }
    Ok(e)
}

/// Parses a claim: `expr op expr [+- tolerance]`.
pub fn parse_claim(src: &str) -> Result<Claim, String> {
    let mut p = Parser { src, pos: 0, depth: 0, ops: 0 };
    let left = p.expr()?;
    p.skip();
    let op = if p.eat("<=") {
        Op::Le
    } else if p.eat(">=") {
        Op::Ge
    } else if p.eat("~=") || p.eat("≈") {
        Op::Approx
    } else if p.eat("<") {
        Op::Lt
    } else if p.eat(">") {
        Op::Gt
    } else {
        return Err("a claim compares two sides with <, <=, >, >= or ~=".into());
    };
    let right = p.expr()?;
    p.skip();
    let tolerance = if p.eat("+-") || p.eat("±") {
        p.skip();
        let v = p.number()?;
        p.skip();
        Some(if p.eat("%") { Tolerance::Rel(v / 100.0) } else { Tolerance::Abs(v) })
    } else {
        None
    };
    if op == Op::Approx && tolerance.is_none() {
        return Err("`~=` needs a tolerance, like `a ~= 1 +- 0.05` or `a ~= b +- 5%`".into());
    }
    p.skip();
    if p.pos < src.len() {
        return Err(format!("unexpected `{}`", &src[p.pos..]));
    }
    Ok(Claim { left, op, right, tolerance })
}

impl Parser<'_> {
    /// Counts an operator; an error past the limit.
    fn op(&mut self) -> Result<(), String> {
        self.ops += 1;
        if self.ops > MAX_OPS {
            return Err(format!("an expression has at most {MAX_OPS} operators"));
        }
        Ok(())
    }

    /// Enters a nested part; an error past the limit.
    fn nest(&mut self) -> Result<(), String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(format!("an expression nests at most {MAX_DEPTH} deep"));
        }
        Ok(())
    }

    fn skip(&mut self) {
        while self.src[self.pos..].starts_with(char::is_whitespace) {
            self.pos += self.src[self.pos..].chars().next().map_or(1, char::len_utf8);
        }
    }

    fn eat(&mut self, tok: &str) -> bool {
        self.skip();
        if self.src[self.pos..].starts_with(tok) {
            self.pos += tok.len();
            true
        } else {
            false
        }
    }

    fn expr(&mut self) -> Result<Expr, String> {
        let mut e = self.term()?;
        loop {
            if self.peek_is("+-") || self.peek_is("±") {
                // A claim's tolerance, not an addition.
                return Ok(e);
            }
            if self.eat("+") {
                self.op()?;
                e = Expr::Bin(BinOp::Add, Box::new(e), Box::new(self.term()?));
            } else if self.eat("-") {
                self.op()?;
                e = Expr::Bin(BinOp::Sub, Box::new(e), Box::new(self.term()?));
            } else {
                return Ok(e);
            }
        }
    }

    fn peek_is(&mut self, tok: &str) -> bool {
        self.skip();
        self.src[self.pos..].starts_with(tok)
    }

    fn term(&mut self) -> Result<Expr, String> {
        let mut e = self.unary()?;
        loop {
            if self.eat("*") {
                self.op()?;
                e = Expr::Bin(BinOp::Mul, Box::new(e), Box::new(self.unary()?));
            } else if self.eat("/") {
                self.op()?;
                e = Expr::Bin(BinOp::Div, Box::new(e), Box::new(self.unary()?));
            } else {
                return Ok(e);
            }
        }
    }

    fn unary(&mut self) -> Result<Expr, String> {
        if self.eat("-") {
            self.op()?;
            self.nest()?;
            let e = Expr::Neg(Box::new(self.unary()?));
            self.depth -= 1;
            return Ok(e);
        }
        self.atom()
    }

    fn number(&mut self) -> Result<f64, String> {
        self.skip();
        let rest = &self.src[self.pos..];
        let len = rest
            .char_indices()
            .find(|(i, c)| !(c.is_ascii_digit() || *c == '.' || ((*c == 'e' || *c == 'E') && *i > 0)))
            .map_or(rest.len(), |(i, _)| i);
        let v = rest[..len].parse::<f64>().map_err(|_| format!("expected a number at `{rest}`"))?;
        self.pos += len;
        Ok(v)
    }

    fn atom(&mut self) -> Result<Expr, String> {
        self.skip();
        let rest = &self.src[self.pos..];
        let Some(c) = rest.chars().next() else { return Err("the expression ends too early".into()) };
        if c.is_ascii_digit() || c == '.' {
            return Ok(Expr::Num(self.number()?));
        }
        if c == '(' {
            self.pos += 1;
            self.nest()?;
            let e = self.expr()?;
            if !self.eat(")") {
                return Err("missing `)`".into());
            }
            self.depth -= 1;
            return Ok(e);
        }
        if c.is_ascii_alphabetic() || c == '_' {
            let len = rest
                .char_indices()
                .find(|(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')))
                .map_or(rest.len(), |(i, _)| i);
            let name = rest[..len].trim_end_matches(['.', '-']).to_owned();
            self.pos += name.len();
            if self.eat("(") {
                let Some(func) = Func::named(&name) else {
                    return Err(format!("unknown function `{name}`: use min, max or abs"));
                };
                let mut args = vec![self.expr()?];
                while self.eat(",") {
                    args.push(self.expr()?);
                }
                if !self.eat(")") {
                    return Err("missing `)`".into());
                }
                if func == Func::Abs && args.len() != 1 {
                    return Err("abs takes one argument".into());
                }
                return Ok(Expr::Call(func, args));
            }
            return Ok(Expr::Name(name));
        }
        Err(format!("unexpected `{c}`"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(src: &str) -> Result<f64, String> {
        parse_expr(src)?.eval(&mut |n| match n {
            "a" => Ok(2.0),
            "exp.b" => Ok(8.0),
            "my-exp.c_d" => Ok(0.5),
            other => Err(format!("no value `{other}`")),
        })
    }

    #[test]
    fn evaluates_arithmetic_with_precedence() {
        assert_eq!(eval("1 + 2 * 3").unwrap(), 7.0);
        assert_eq!(eval("(1 + 2) * 3").unwrap(), 9.0);
        assert_eq!(eval("exp.b / a - 1").unwrap(), 3.0);
        assert_eq!(eval("-a + max(a, exp.b, 3)").unwrap(), 6.0);
        assert_eq!(eval("abs(a - exp.b) * my-exp.c_d").unwrap(), 3.0);
        assert_eq!(eval("1e3 * 2.5").unwrap(), 2500.0);
        assert!(eval("a / 0").unwrap_err().contains("division"));
        assert!(eval("nothing").unwrap_err().contains("no value"));
        assert!(parse_expr("a +").is_err());
        assert!(parse_expr("sqrt(a)").unwrap_err().contains("unknown function"));
        assert!(parse_expr("a b").is_err());
    }

    #[test]
    fn deep_or_long_expressions_are_refused() {
        // These overflowed the stack when parsed, evaluated or dropped.
        assert!(parse_expr(&format!("{}a{}", "(".repeat(10_000), ")".repeat(10_000))).unwrap_err().contains("64 deep"));
        assert!(parse_expr(&format!("{}a", "-".repeat(10_000))).is_err());
        assert!(parse_expr(&vec!["a"; 100_000].join(" + ")).unwrap_err().contains("operators"));
        assert_eq!(eval(&format!("{}1{}", "(".repeat(60), ")".repeat(60))), Ok(1.0));
    }

    #[test]
    fn parses_claims_with_tolerances() {
        let c = parse_claim("exp.b / a < 4.5").unwrap();
        assert_eq!(c.op, Op::Lt);
        assert!(c.holds(4.0, 4.5) && !c.holds(4.6, 4.5));
        let c = parse_claim("a ~= 2.1 +- 0.2").unwrap();
        assert_eq!(c.tolerance, Some(Tolerance::Abs(0.2)));
        assert!(c.holds(2.0, 2.1) && !c.holds(1.8, 2.1));
        let c = parse_claim("a ≈ exp.b ± 5%").unwrap();
        assert_eq!(c.tolerance, Some(Tolerance::Rel(0.05)));
        assert!(c.holds(8.3, 8.0) && !c.holds(8.5, 8.0));
        assert!(parse_claim("a ~= 2").unwrap_err().contains("tolerance"));
        assert!(parse_claim("a").unwrap_err().contains("compares"));
        assert_eq!(parse_claim("a >= 1 - 0.5").unwrap().right, parse_expr("1 - 0.5").unwrap());
    }
}
