//! Fills the README templates kept in `crates/xtask/templates/`: `{{name}}` becomes a value.

use anyhow::bail;

/// Replaces every `{{key}}` of `template` with its value; a placeholder left without a value,
/// or a value that no placeholder uses, is an error so that the READMEs never go stale.
pub fn fill(template: &str, values: &[(&str, String)]) -> anyhow::Result<String> {
    let mut text = template.to_owned();
    for (key, value) in values {
        let placeholder = format!("{{{{{key}}}}}");
        if !text.contains(&placeholder) {
            bail!("the template has no {placeholder}");
        }
        text = text.replace(&placeholder, value);
    }
    if let Some(at) = text.find("{{") {
        let rest: String = text[at..].chars().take(40).collect();
        bail!("the template still has a placeholder: {rest}");
    }
    Ok(text)
}
