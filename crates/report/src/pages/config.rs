//! How the site is published: `site.yaml` at the repository's root.

use serde::{Deserialize, Serialize};

use super::{SiteError, err, line_of};

/// Publishing settings. Every key is optional.
///
/// ```yaml
/// title: gil-lab
/// base_url: https://example.org/gil-lab/   # where site/ is served
/// repository: https://github.com/OWNER/gil-lab
/// branch: main
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The site's name (page titles, the header).
    #[serde(default = "default_title")]
    pub title: String,
    /// The absolute URL the site is served at, ending in `/`. Canonical
    /// links, hreflang alternates and `sitemap.xml` use it; the 404 page,
    /// which a server may send for a missing page at any depth, links by its
    /// path. Without it there is no sitemap and the 404 page assumes `/`.
    #[serde(default)]
    pub base_url: Option<String>,
    /// The repository's web address: each note gets an "edit this page" link
    /// to `REPOSITORY/edit/BRANCH/notes/LANG/SLUG.md`.
    #[serde(default)]
    pub repository: Option<String>,
    /// The branch edits are proposed against.
    #[serde(default = "default_branch")]
    pub branch: String,
}

fn default_title() -> String {
    "gil-lab".into()
}

fn default_branch() -> String {
    "main".into()
}

impl Default for Config {
    fn default() -> Config {
        Config { title: default_title(), base_url: None, repository: None, branch: default_branch() }
    }
}

impl Config {
    /// Parses and checks `site.yaml`; errors name the line.
    pub fn parse(path: &str, source: &str) -> Result<Config, SiteError> {
        let mut c: Config = serde_yaml::from_str(source).map_err(|e| {
            let msg = e.to_string();
            SiteError {
                file: path.to_owned(),
                line: e.location().map_or(1, |l| l.line()),
                message: msg.split(" at line ").next().unwrap_or(&msg).to_owned(),
            }
        })?;
        let web = |v: &str| {
            (v.starts_with("https://") || v.starts_with("http://"))
                && v.split("://").nth(1).is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/'))
                && !v.chars().any(|ch| ch.is_whitespace() || "\"'<>`".contains(ch))
        };
        if c.title.trim().is_empty() {
            return err(path, line_of(source, "title:"), "title: the site needs a name");
        }
        if let Some(b) = &mut c.base_url {
            if !web(b) || b.contains(['?', '#']) {
                return err(
                    path,
                    line_of(source, "base_url:"),
                    format!("base_url: `{b}` is not an absolute http(s) URL like https://example.org/gil-lab/"),
                );
            }
            if !b.ends_with('/') {
                b.push('/');
            }
        }
        if let Some(r) = &mut c.repository {
            if !web(r) {
                return err(
                    path,
                    line_of(source, "repository:"),
                    format!("repository: `{r}` is not an http(s) URL like https://github.com/OWNER/gil-lab"),
                );
            }
            while r.ends_with('/') {
                r.pop();
            }
        }
        if c.branch.is_empty() || !c.branch.chars().all(|ch| ch.is_ascii_alphanumeric() || "._-/".contains(ch)) {
            return err(path, line_of(source, "branch:"), format!("branch: `{}` is not a branch name", c.branch));
        }
        Ok(c)
    }

    /// The path part of `base_url` (`/gil-lab/`), or `/`.
    pub fn base_path(&self) -> String {
        let Some(b) = &self.base_url else { return "/".into() };
        let rest = b.split("://").nth(1).unwrap_or("");
        match rest.find('/') {
            Some(i) => rest[i..].to_owned(),
            None => "/".into(),
        }
    }

    /// The absolute URL of a page (`en/x.html`), if the base URL is known.
    pub fn url(&self, path: &str) -> Option<String> {
        self.base_url.as_ref().map(|b| format!("{b}{path}"))
    }

    /// Where a note's source can be edited.
    pub fn edit_url(&self, lang: &str, slug: &str) -> Option<String> {
        self.repository.as_ref().map(|r| format!("{r}/edit/{}/notes/{lang}/{slug}.md", self.branch))
    }
}

/// Reads `notes/spellings.yaml`: groups of spellings that search treats
/// alike (`[스레드, 쓰레드, thread]`), and short answers too.
pub fn parse_spellings(path: &str, source: &str) -> Result<Vec<Vec<String>>, SiteError> {
    let groups: Vec<Vec<String>> = serde_yaml::from_str(source).map_err(|e| {
        let msg = e.to_string();
        SiteError {
            file: path.to_owned(),
            line: e.location().map_or(1, |l| l.line()),
            message: format!("{} (a list of lists of words)", msg.split(" at line ").next().unwrap_or(&msg)),
        }
    })?;
    let items: Vec<usize> =
        source.lines().enumerate().filter(|(_, l)| l.trim_start().starts_with("- ")).map(|(i, _)| i + 1).collect();
    for (i, g) in groups.iter().enumerate() {
        let line = items.get(i).copied().unwrap_or(1);
        if g.len() < 2 || g.iter().any(|w| w.trim().is_empty()) {
            return err(path, line, "a group lists at least two spellings, none empty");
        }
    }
    Ok(groups)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_checks_the_publishing_settings() {
        let c = Config::parse(
            "site.yaml",
            "base_url: https://example.org/gil-lab\nrepository: https://github.com/o/gil-lab/\n",
        )
        .unwrap();
        assert_eq!(c.base_url.as_deref(), Some("https://example.org/gil-lab/"));
        assert_eq!(c.base_path(), "/gil-lab/");
        assert_eq!(c.url("en/x.html").unwrap(), "https://example.org/gil-lab/en/x.html");
        assert_eq!(c.edit_url("ko", "gil").unwrap(), "https://github.com/o/gil-lab/edit/main/notes/ko/gil.md");
        assert_eq!(Config::default().base_path(), "/");
        assert_eq!(Config::parse("s", "base_url: http://h:8000/\n").unwrap().base_path(), "/");
        let e = Config::parse("site.yaml", "title: x\nbase_url: /gil-lab/\n").unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        assert!(e.message.contains("absolute"), "{e}");
        assert!(Config::parse("s", "repository: javascript:alert(1)\n").is_err());
        assert!(Config::parse("s", "colour: red\n").unwrap_err().message.contains("unknown field"));
        assert!(Config::parse("s", "branch: \"a b\"\n").is_err());
    }

    #[test]
    fn spellings_are_groups_of_two_or_more() {
        let g = parse_spellings("s.yaml", "# same\n- [스레드, 쓰레드, thread]\n- [컨보이, convoy]\n").unwrap();
        assert_eq!(g[1], ["컨보이", "convoy"]);
        let e = parse_spellings("s.yaml", "- [a, b]\n- [alone]\n").unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        assert!(parse_spellings("s.yaml", "a: b\n").unwrap_err().message.contains("list of lists"));
    }
}
