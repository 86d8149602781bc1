//! The article in a fetched page, and what the page says about itself.
//!
//! The text comes from dom_smoothie, a port of Mozilla's Readability (the
//! reader view of Firefox): it drops navigation, comments, cookie banners,
//! scripts and styles, and keeps the article, whose formatted text we cut
//! into paragraphs. Only text ever leaves this module, never markup, so
//! nothing a hostile page carries can reach a snapshot but its words.
//!
//! The metadata comes from the same crate, which reads JSON-LD, OpenGraph
//! and `<meta>` tags; the canonical address from `<link rel="canonical">`
//! (lol_html, which reads the page as a browser would).

use std::cell::RefCell;
use std::rc::Rc;

use dom_smoothie::{Config, Readability, TextMode};

/// What the page says about itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageMeta {
    pub title: Option<String>,
    pub author: Option<String>,
    pub publication: Option<String>,
    pub published: Option<String>,
    pub modified: Option<String>,
    pub canonical: Option<String>,
}

/// The article's paragraphs and the page's metadata.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extracted {
    pub meta: PageMeta,
    pub paragraphs: Vec<String>,
}

/// Reads `html`, found at `url`.
pub fn extract(html: &str, url: &str) -> Result<Extracted, String> {
    let config = Config {
        text_mode: TextMode::Formatted,
        ..Config::default()
    };
    let mut reader = Readability::new(html, Some(url), Some(config))
        .map_err(|e| format!("the page could not be read as HTML: {e}"))?;
    let article = reader
        .parse()
        .map_err(|e| format!("no article text found in the page: {e}"))?;
    let clean = |s: Option<String>| {
        s.map(|v| v.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|v| !v.is_empty())
    };
    let paragraphs = article
        .text_content
        .split('\n')
        .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .collect();
    let meta = PageMeta {
        title: clean(Some(article.title.to_string())),
        author: clean(article.byline),
        publication: clean(article.site_name),
        published: clean(article.published_time),
        modified: clean(article.modified_time),
        canonical: canonical(html, url).or_else(|| clean(article.url)),
    };
    Ok(Extracted { meta, paragraphs })
}

/// `<link rel="canonical" href>`, made absolute against `url`.
fn canonical(html: &str, url: &str) -> Option<String> {
    use lol_html::{RewriteStrSettings, element, rewrite_str};
    let found: Rc<RefCell<Option<String>>> = Rc::default();
    let slot = Rc::clone(&found);
    let settings = RewriteStrSettings::new().append_element_content_handler(element!(
        "link[href]",
        move |el| {
            let rel = el
                .get_attribute("rel")
                .unwrap_or_default()
                .to_ascii_lowercase();
            if rel.split_ascii_whitespace().any(|r| r == "canonical") && slot.borrow().is_none() {
                *slot.borrow_mut() = el.get_attribute("href");
            }
            Ok(())
        }
    ));
    rewrite_str(html, settings).ok()?;
    let href = found.take()?;
    let base = url::Url::parse(url).ok()?;
    base.join(href.trim()).ok().map(String::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<!doctype html><html lang="en"><head>
<title>Fishing rights for port access | The Ledger</title>
<meta property="og:title" content="Fishing rights for port access">
<meta property="og:site_name" content="The Ledger">
<meta name="author" content="Ana Li">
<link rel="canonical" href="/2026/fishing">
<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle","headline":"Fishing rights for port access","author":{"@type":"Person","name":"Ana Li"},"datePublished":"2026-03-03T11:00:00Z","dateModified":"2026-03-03T15:00:00Z","publisher":{"@type":"Organization","name":"The Ledger"}}</script>
</head><body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<div class="cookie-banner">We use cookies. Accept all cookies?</div>
<article><h1>Fishing rights for port access</h1>
<p>Kestria offered last month to reopen its northern fishing grounds to Morvanian boats, three officials said on Monday, in a letter that neither government has announced.</p>
<p onclick="steal()">The letter was carried by the deputy foreign minister, who met his counterpart for two hours in the capital and left without speaking to reporters.<script>document.write("INJECTED")</script></p>
<p>Morvane has kept the port closed to foreign freight since the customs dispute, and its fleet has shrunk by a third in the years since.</p>
<p>Neither ministry would say when an answer is due. A spokeswoman for the Morvanian cabinet said only that the government reads every letter it receives, and that officials from both sides would meet next week as planned.</p>
<p>Fishing towns on the northern coast have lobbied for years to reopen the grounds, and their mayors wrote to the cabinet again this winter, asking that any talks with Kestria put the grounds first.</p>
</article>
<section id="comments"><h2>Comments</h2><p>First! This is a reader comment that should not be in the article text at all.</p></section>
</body></html>"#;

    #[test]
    fn the_article_and_its_metadata() {
        let e = extract(PAGE, "https://ledger.example/2026/fishing?ref=x").unwrap();
        assert_eq!(
            e.meta.title.as_deref(),
            Some("Fishing rights for port access")
        );
        assert_eq!(e.meta.author.as_deref(), Some("Ana Li"));
        assert_eq!(e.meta.publication.as_deref(), Some("The Ledger"));
        assert_eq!(e.meta.published.as_deref(), Some("2026-03-03T11:00:00Z"));
        assert_eq!(e.meta.modified.as_deref(), Some("2026-03-03T15:00:00Z"));
        assert_eq!(
            e.meta.canonical.as_deref(),
            Some("https://ledger.example/2026/fishing")
        );
        let text = e.paragraphs.join("\n");
        assert!(text.contains("three officials said on Monday"), "{text}");
        assert!(text.contains("shrunk by a third"), "{text}");
        for absent in ["INJECTED", "steal", "cookies", "First!", "Sport"] {
            assert!(!text.contains(absent), "{absent} in {text}");
        }
    }
}
