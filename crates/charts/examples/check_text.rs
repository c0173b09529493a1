//! Checks the text of every SVG under a directory (overlaps, text cut off,
//! the smallest font): `cargo run -p charts --example check_text DIR`.
#![allow(missing_docs, clippy::print_stdout)]
fn main() -> std::io::Result<()> {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "site".into());
    let mut stack = vec![std::path::PathBuf::from(dir)];
    let (mut files, mut bad) = (0, 0);
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d)? {
            let p = e?.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "svg") {
                files += 1;
                let svg = std::fs::read_to_string(&p)?;
                match charts::text::problems(&svg) {
                    Ok(list) if list.is_empty() => {}
                    Ok(list) => {
                        bad += 1;
                        println!("{}: {}", p.display(), list.join("; "));
                    }
                    Err(e) => println!("{}: {e}", p.display()),
                }
            }
        }
    }
    println!("{bad} of {files} SVG files have text problems");
    Ok(())
}
