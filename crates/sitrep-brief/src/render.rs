//! Markdown and HTML renderings of a [`Briefing`], with every piece of text
//! from the reports escaped.

use crate::{Briefing, Note, Sentence, SentenceKind};

/// Backslash-escape what Markdown would otherwise read as markup, and keep
/// the text on one line.
pub fn escape_md(s: &str) -> String {
    let flat = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = String::with_capacity(flat.len());
    for (i, c) in flat.chars().enumerate() {
        let special = matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~' | '&' | '$'
        ) || (i == 0 && matches!(c, '-' | '+' | '='));
        if special {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Escape text for HTML element content and attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn md_refs(s: &Sentence) -> String {
    s.notes.iter().map(|n| format!("[^{n}]")).collect()
}

fn md_sentence(s: &Sentence) -> String {
    match s.kind {
        SentenceKind::Generated => format!("{}{}", escape_md(&s.text), md_refs(s)),
        SentenceKind::Quote => format!("“{}”{}", escape_md(&s.text), md_refs(s)),
    }
}

/// The footnote line, without its number.
pub fn note_words(n: &Note) -> String {
    let mut s = format!(
        "{}, {}: {}",
        n.outlet,
        n.published
            .as_deref()
            .map_or("publication date unknown".into(), crate::day_words),
        n.chain
    );
    s.push_str(&format!(". Report {}", n.doc));
    if let Some(r) = &n.repeat_of {
        s.push_str(&format!(" (a copy of {r})"));
    }
    s.push('.');
    s
}

/// The briefing as Markdown (GitHub-flavoured: footnotes as `[^n]`).
pub fn markdown(b: &Briefing) -> String {
    let mut o = String::new();
    o.push_str(&format!("# {}\n\n", escape_md(&b.title)));
    o.push_str(&format!("{}\n\n", escape_md(&scope_line(b))));
    if let Some(n) = &b.notice {
        o.push_str(&format!("**{}**\n\n", escape_md(n)));
    }
    for s in &b.sections {
        o.push_str(&format!("## {}\n\n", escape_md(&s.title)));
        if s.id == "summary" {
            let text: Vec<String> = s
                .items
                .iter()
                .flat_map(|i| &i.sentences)
                .map(md_sentence)
                .collect();
            o.push_str(&text.join(" "));
            o.push_str("\n\n");
            continue;
        }
        for item in &s.items {
            if let Some(h) = &item.heading {
                o.push_str(&format!("### {}\n\n", escape_md(h)));
            }
            for sen in &item.sentences {
                match sen.kind {
                    SentenceKind::Generated => o.push_str(&format!("- {}\n", md_sentence(sen))),
                    SentenceKind::Quote => o.push_str(&format!("  > {}\n", md_sentence(sen))),
                }
            }
            o.push('\n');
        }
    }
    if !b.notes.is_empty() {
        o.push_str("## Sources\n\n");
        for n in &b.notes {
            let url = n
                .url
                .as_deref()
                .map_or(String::new(), |u| format!(" <{}>", u.replace('>', "%3E")));
            o.push_str(&format!("[^{}]: {}{url}\n", n.n, escape_md(&note_words(n))));
        }
    }
    o
}

/// Who, where, when and from what, in one line (not a claim about events).
pub fn scope_line(b: &Briefing) -> String {
    let kind = match b.scope.kind {
        crate::ScopeKind::Place => "Place",
        crate::ScopeKind::Region => "Region",
        crate::ScopeKind::Country => "Country",
    };
    let ids = b
        .scope
        .geonames_ids
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "{kind}: {} (GeoNames {ids}; asked as \"{}\"). Period: {}. Built from {} fused event(s) ({} listed) in {} report(s) from {} independent source(s); every sentence cites its sources, and quoted sentences are copied verbatim from the reports.",
        b.scope.name,
        b.scope.query,
        b.period,
        b.counts.events,
        b.counts.listed,
        b.counts.reports,
        b.counts.sources.len()
    )
}

fn html_refs(s: &Sentence) -> String {
    s.notes
        .iter()
        .map(|n| format!("<sup class=\"fn\"><a href=\"#note-{n}\">[{n}]</a></sup>"))
        .collect()
}

fn html_sentence(s: &Sentence) -> String {
    match s.kind {
        SentenceKind::Generated => format!("{}{}", escape_html(&s.text), html_refs(s)),
        SentenceKind::Quote => format!(
            "<q class=\"evidence\">{}</q>{}",
            escape_html(&s.text),
            html_refs(s)
        ),
    }
}

/// The briefing as a standalone HTML document.
pub fn html(b: &Briefing) -> String {
    let mut o = String::new();
    o.push_str("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    o.push_str(&format!("<title>{}</title>\n", escape_html(&b.title)));
    o.push_str(
        "<style>body{font:15px/1.5 system-ui,sans-serif;max-width:52em;margin:2em auto;padding:0 1em}\
         q.evidence{display:block;margin:.3em 0 .3em 1.2em;padding-left:.6em;border-left:3px solid #bbb;color:#333}\
         .scope{color:#555}.notice{font-weight:bold}sup.fn a{text-decoration:none}</style>\n",
    );
    o.push_str("</head>\n<body>\n<article class=\"briefing\">\n");
    o.push_str(&format!("<h1>{}</h1>\n", escape_html(&b.title)));
    o.push_str(&format!(
        "<p class=\"scope\">{}</p>\n",
        escape_html(&scope_line(b))
    ));
    if let Some(n) = &b.notice {
        o.push_str(&format!("<p class=\"notice\">{}</p>\n", escape_html(n)));
    }
    for s in &b.sections {
        o.push_str(&format!(
            "<section id=\"{}\">\n<h2>{}</h2>\n",
            escape_html(&s.id),
            escape_html(&s.title)
        ));
        if s.id == "summary" {
            let text: Vec<String> = s
                .items
                .iter()
                .flat_map(|i| &i.sentences)
                .map(html_sentence)
                .collect();
            o.push_str(&format!("<p>{}</p>\n", text.join(" ")));
        } else {
            for item in &s.items {
                if let Some(h) = &item.heading {
                    o.push_str(&format!("<h3>{}</h3>\n", escape_html(h)));
                }
                o.push_str("<ul>\n");
                for sen in &item.sentences {
                    o.push_str(&format!("<li>{}</li>\n", html_sentence(sen)));
                }
                o.push_str("</ul>\n");
            }
        }
        o.push_str("</section>\n");
    }
    if !b.notes.is_empty() {
        o.push_str("<section id=\"sources\">\n<h2>Sources</h2>\n<ol class=\"notes\">\n");
        for n in &b.notes {
            let url = n.url.as_deref().map_or(String::new(), |u| {
                let safe = u.starts_with("http://") || u.starts_with("https://");
                if safe {
                    format!(
                        " <a href=\"{0}\" rel=\"noreferrer\">{0}</a>",
                        escape_html(u)
                    )
                } else {
                    format!(" {}", escape_html(u))
                }
            });
            o.push_str(&format!(
                "<li id=\"note-{}\" value=\"{}\">{}{url}</li>\n",
                n.n,
                n.n,
                escape_html(&note_words(n))
            ));
        }
        o.push_str("</ol>\n</section>\n");
    }
    o.push_str("</article>\n</body>\n</html>\n");
    o
}
