//! Footnotes gathered at the end of the post, numbered in reading order,
//! each with a link back to where it was cited.
//!
//! pulldown-cmark leaves definitions where they were written and gives
//! references no id to return to; commentary posts cite a lot, so we do
//! what readers expect from a footnote: `<sup>` links down, an ordered list
//! at the end, `↩` links back up. Ids are prefixed (`fn-`, `fnref-`) so
//! they cannot collide with heading ids.

use std::collections::HashMap;

use pulldown_cmark::{CowStr, Event, Tag, TagEnd};

use super::{Spanned, escape_attr};

/// Rewrites references and moves definitions to a list at the end.
pub fn gather_footnotes(events: &mut Vec<Spanned<'_>>) {
    if !events.iter().any(|(e, _)| {
        matches!(
            e,
            Event::FootnoteReference(_) | Event::Start(Tag::FootnoteDefinition(_))
        )
    }) {
        return;
    }
    // Pull the definitions out, keeping their inner events. The events
    // before the first definition (most of a body: notes go at its end)
    // stay where they are.
    let first = events
        .iter()
        .position(|(e, _)| matches!(e, Event::Start(Tag::FootnoteDefinition(_))))
        .unwrap_or(events.len());
    let rest: Vec<Spanned<'_>> = events.drain(first..).collect();
    let mut definitions: HashMap<String, Vec<Spanned<'_>>> = HashMap::new();
    let mut current: Option<(String, Vec<Spanned<'_>>)> = None;
    let mut depth = 0usize;
    for (event, range) in rest {
        match (&mut current, event) {
            (None, Event::Start(Tag::FootnoteDefinition(label))) => {
                current = Some((label.to_string(), Vec::new()));
                depth = 0;
            }
            (Some(_), Event::Start(Tag::FootnoteDefinition(_))) => depth += 1,
            (Some(_), Event::End(TagEnd::FootnoteDefinition)) if depth > 0 => depth -= 1,
            (Some(_), Event::End(TagEnd::FootnoteDefinition)) => {
                if let Some((label, inner)) = current.take() {
                    definitions.entry(label).or_insert(inner);
                }
            }
            (Some((_, inner)), event) => inner.push((event, range)),
            (None, event) => events.push((event, range)),
        }
    }

    // Number by first reference; give each reference its own back-link id.
    // References inside a footnote (`[^a]: see[^b]`) are numbered too, in
    // the order the footnotes are listed.
    let mut state = Numbering::default();
    state.rewrite(events, &definitions);
    let mut done = 0;
    let mut bodies: HashMap<String, Vec<Spanned<'_>>> = HashMap::new();
    while done < state.order.len() {
        let label = state.order[done].clone();
        let mut inner = definitions.get(&label).cloned().unwrap_or_default();
        state.rewrite(&mut inner, &definitions);
        bodies.insert(label, inner);
        done += 1;
    }
    let order = state.order;
    let mut definitions = bodies;
    if order.is_empty() {
        return;
    }
    let end = events.last().map(|(_, r)| r.end..r.end).unwrap_or(0..0);
    events.push((
        Event::Html(CowStr::from(
            "<section class=\"footnotes\" aria-labelledby=\"footnotes-label\">\n<h2 id=\"footnotes-label\" class=\"visually-hidden\">Notes</h2>\n<ol>\n",
        )),
        end.clone(),
    ));
    for (i, label) in order.iter().enumerate() {
        let n = i + 1;
        events.push((
            Event::Html(CowStr::from(format!("<li id=\"fn-{n}\">\n"))),
            end.clone(),
        ));
        let mut inner = definitions.remove(label).unwrap_or_default();
        let back = format!(
            " <a class=\"footnote-back\" href=\"#{}\" aria-label=\"Back to reference {n}\">↩</a>",
            ref_id(n, 1)
        );
        // Put the back-link inside the last paragraph when there is one.
        match inner
            .iter()
            .rposition(|(e, _)| matches!(e, Event::End(TagEnd::Paragraph)))
        {
            Some(i) => inner.insert(i, (Event::InlineHtml(CowStr::from(back)), end.clone())),
            None => inner.push((Event::Html(CowStr::from(back)), end.clone())),
        }
        events.extend(inner);
        events.push((Event::Html(CowStr::from("</li>\n")), end.clone()));
    }
    events.push((Event::Html(CowStr::from("</ol>\n</section>\n")), end));
}

#[derive(Default)]
struct Numbering {
    order: Vec<String>,
    numbers: HashMap<String, usize>,
    ref_counts: HashMap<String, usize>,
}

impl Numbering {
    fn rewrite(
        &mut self,
        events: &mut [Spanned<'_>],
        definitions: &HashMap<String, Vec<Spanned<'_>>>,
    ) {
        for (event, _) in events.iter_mut() {
            let Event::FootnoteReference(label) = event else {
                continue;
            };
            let label = label.to_string();
            if !definitions.contains_key(&label) {
                *event = Event::Text(CowStr::from(format!("[^{label}]")));
                continue;
            }
            let n = *self.numbers.entry(label.clone()).or_insert_with(|| {
                self.order.push(label.clone());
                self.order.len()
            });
            let count = self.ref_counts.entry(label.clone()).or_insert(0);
            *count += 1;
            let id = ref_id(n, *count);
            *event = Event::InlineHtml(CowStr::from(format!(
                "<sup class=\"footnote-ref\" id=\"{}\"><a href=\"#fn-{n}\" aria-describedby=\"footnotes-label\">{n}</a></sup>",
                escape_attr(&id)
            )));
        }
    }
}

fn ref_id(n: usize, occurrence: usize) -> String {
    if occurrence == 1 {
        format!("fnref-{n}")
    } else {
        format!("fnref-{n}-{occurrence}")
    }
}
