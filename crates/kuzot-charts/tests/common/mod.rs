//! A strict little XML reader for the tests: it checks that a chart is well-formed and
//! lists its elements, so that tests can count bars and look at attributes without a
//! full XML library.

/// One element of a parsed document.
#[derive(Debug, Clone)]
pub struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    /// Unescaped character data directly inside the element.
    pub text: String,
    /// Names of the enclosing elements, outermost first.
    pub ancestors: Vec<String>,
}

impl Element {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn has_class(&self, class: &str) -> bool {
        self.attr("class")
            .is_some_and(|c| c.split_whitespace().any(|c| c == class))
    }
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

fn unescape(raw: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let semi = after
            .find(';')
            .ok_or_else(|| format!("bare & in {raw:?}"))?;
        let entity = &after[..semi];
        let c = match entity {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let code = if let Some(hex) = entity.strip_prefix("#x") {
                    u32::from_str_radix(hex, 16).ok()
                } else if let Some(dec) = entity.strip_prefix('#') {
                    dec.parse().ok()
                } else {
                    None
                };
                code.and_then(char::from_u32)
                    .filter(|c| is_xml_char(*c))
                    .ok_or_else(|| format!("bad entity &{entity}; in {raw:?}"))?
            }
        };
        out.push(c);
        rest = &after[semi + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '-' | '_' | ':' | '.')
}

/// Parses `doc`, failing on anything that is not well-formed XML without a DTD or CDATA.
pub fn parse(doc: &str) -> Result<Vec<Element>, String> {
    if let Some(c) = doc.chars().find(|c| !is_xml_char(*c)) {
        return Err(format!("character {c:?} is not allowed in XML"));
    }
    let mut elements: Vec<Element> = Vec::new();
    // Indices into `elements` of the open elements.
    let mut stack: Vec<usize> = Vec::new();
    let mut roots = 0;
    let mut rest = doc;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            text(rest, &stack, &mut elements)?;
            break;
        };
        text(&rest[..lt], &stack, &mut elements)?;
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<!--") {
            let end = after.find("-->").ok_or("unterminated comment")?;
            rest = &after[end + 3..];
        } else if rest.starts_with("<!") || rest.starts_with("<?") {
            return Err(format!(
                "unexpected markup {:?}",
                &rest[..rest.len().min(20)]
            ));
        } else if let Some(after) = rest.strip_prefix("</") {
            let end = after.find('>').ok_or("unterminated end tag")?;
            let name = after[..end].trim_end();
            let open = stack
                .pop()
                .ok_or_else(|| format!("</{name}> closes nothing"))?;
            if elements[open].name != name {
                return Err(format!("</{name}> closes <{}>", elements[open].name));
            }
            rest = &after[end + 1..];
        } else {
            let after = &rest[1..];
            let name_end = after
                .find(|c: char| !is_name_char(c))
                .ok_or("unterminated tag")?;
            let name = &after[..name_end];
            if name.is_empty() {
                return Err("empty element name".into());
            }
            if stack.is_empty() {
                roots += 1;
            }
            let mut attrs: Vec<(String, String)> = Vec::new();
            let mut tail = &after[name_end..];
            let empty = loop {
                let trimmed = tail.trim_start();
                let had_space = trimmed.len() != tail.len();
                tail = trimmed;
                if let Some(t) = tail.strip_prefix("/>") {
                    tail = t;
                    break true;
                }
                if let Some(t) = tail.strip_prefix('>') {
                    tail = t;
                    break false;
                }
                if !had_space {
                    return Err(format!("no space before attribute in <{name}>"));
                }
                let eq = tail
                    .find('=')
                    .ok_or_else(|| format!("attribute without value in <{name}>"))?;
                let key = &tail[..eq];
                if key.is_empty() || !key.chars().all(is_name_char) {
                    return Err(format!("bad attribute name {key:?} in <{name}>"));
                }
                let value_start = tail[eq + 1..]
                    .strip_prefix('"')
                    .ok_or_else(|| format!("unquoted attribute {key} in <{name}>"))?;
                let close = value_start.find('"').ok_or("unterminated attribute")?;
                let raw = &value_start[..close];
                if raw.contains('<') {
                    return Err(format!("< in attribute {key} of <{name}>"));
                }
                if attrs.iter().any(|(k, _)| k == key) {
                    return Err(format!("duplicate attribute {key} in <{name}>"));
                }
                attrs.push((key.to_owned(), unescape(raw)?));
                tail = &value_start[close + 1..];
            };
            let ancestors = stack.iter().map(|&i| elements[i].name.clone()).collect();
            elements.push(Element {
                name: name.to_owned(),
                attrs,
                text: String::new(),
                ancestors,
            });
            if !empty {
                stack.push(elements.len() - 1);
            }
            rest = tail;
        }
    }
    if let Some(&open) = stack.last() {
        return Err(format!("<{}> is never closed", elements[open].name));
    }
    if roots != 1 {
        return Err(format!("{roots} root elements"));
    }
    Ok(elements)
}

fn text(raw: &str, stack: &[usize], elements: &mut [Element]) -> Result<(), String> {
    if raw.contains('>') {
        return Err(format!("unescaped > in text {raw:?}"));
    }
    let unescaped = unescape(raw)?;
    match stack.last() {
        Some(&open) => elements[open].text.push_str(&unescaped),
        None if unescaped.trim().is_empty() => {}
        None => return Err(format!("text outside the root: {raw:?}")),
    }
    Ok(())
}

/// Parses a chart and checks what a strict Content-Security-Policy and hostile labels
/// demand of it; returns its elements.
pub fn check_chart(svg: &str) -> Vec<Element> {
    let elements = parse(svg).unwrap_or_else(|e| panic!("not well-formed: {e}\n{svg}"));
    let root = &elements[0];
    assert_eq!(root.name, "svg");
    assert_eq!(root.attr("xmlns"), Some("http://www.w3.org/2000/svg"));
    // A chart whose marks are links is a group of them; otherwise it is one image.
    let has_links = elements.iter().any(|e| e.name == "a");
    assert_eq!(
        root.attr("role"),
        Some(if has_links { "group" } else { "img" })
    );
    let labelled_by = root.attr("aria-labelledby").expect("aria-labelledby");
    for id in labelled_by.split_whitespace() {
        assert!(
            elements.iter().any(|e| e.attr("id") == Some(id)),
            "aria-labelledby names a missing id {id}"
        );
    }
    assert!(
        elements
            .iter()
            .any(|e| e.name == "title" && e.ancestors.len() == 1)
    );
    assert!(
        elements
            .iter()
            .any(|e| e.name == "desc" && e.ancestors.len() == 1)
    );
    for e in &elements {
        assert!(
            !matches!(
                e.name.as_str(),
                "style" | "script" | "foreignObject" | "image" | "use" | "iframe"
            ),
            "forbidden element <{}>",
            e.name
        );
        if e.name == "a" {
            // A mark's link: to a page of the same site, with a name for screen readers.
            let href = e.attr("href").expect("a link has an href");
            assert!(
                (href.starts_with('/') && !href.starts_with("//")) || href.starts_with('?'),
                "link off the site: {href:?}"
            );
            assert!(
                !href.contains(['\\', ' ', '\t', '\n']),
                "link with a character browsers strip: {href:?}"
            );
            assert!(
                e.attr("aria-label").is_some_and(|l| !l.trim().is_empty()),
                "a link without an accessible name"
            );
        }
        for (key, value) in &e.attrs {
            let key = key.to_ascii_lowercase();
            assert!(
                key != "style"
                    && !key.starts_with("on")
                    && (!key.contains("href") || (key == "href" && e.name == "a")),
                "forbidden attribute {key} on <{}>",
                e.name
            );
            assert!(
                !value.contains("url("),
                "external reference in {key}={value:?}"
            );
        }
    }
    elements
}

pub fn count<'a>(elements: &'a [Element], name: &str, class: &str) -> Vec<&'a Element> {
    elements
        .iter()
        .filter(|e| e.name == name && e.has_class(class))
        .collect()
}
