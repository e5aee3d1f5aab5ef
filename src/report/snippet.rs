//! A file's text as miette reads it, with its line starts indexed: a snippet
//! reads only the lines around its span. (miette's own `SourceCode` for text
//! scans from the start of the file for each snippet, which is quadratic in a
//! file with thousands of findings.)

use std::sync::Arc;

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

#[derive(Debug, Clone)]
pub struct IndexedSource {
    text: Arc<str>,
    /// Offsets where lines start, with miette's line breaks (`\n`, `\r\n`, `\r`).
    starts: Arc<[usize]>,
}

impl IndexedSource {
    pub fn new(text: Arc<str>) -> Self {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        for (i, &b) in bytes.iter().enumerate() {
            let ends_line = b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
            if ends_line {
                starts.push(i + 1);
            }
        }
        IndexedSource {
            text,
            starts: starts.into(),
        }
    }

    /// 0-based index of the line holding `offset`.
    fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&start| start <= offset) - 1
    }
}

impl SourceCode for IndexedSource {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        // One line more than the context: miette ends an empty span at a line start
        // on the line before.
        let first = self
            .line_of(span.offset())
            .saturating_sub(context_lines_before + 1);
        let last = self.line_of(span.offset() + span.len()) + context_lines_after + 2;
        let start = self.starts[first];
        let end = self.starts.get(last).copied().unwrap_or(self.text.len());
        let window = &self.text.as_bytes()[start..end];
        let local = SourceSpan::new((span.offset() - start).into(), span.len());
        let inner = window.read_span(&local, context_lines_before, context_lines_after)?;
        let inner_span = inner.span();
        Ok(Box::new(MietteSpanContents::new(
            inner.data(),
            SourceSpan::new((inner_span.offset() + start).into(), inner_span.len()),
            inner.line() + first,
            inner.column(),
            inner.line_count() + first,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every span of a text with every kind of line break reads as miette reads the whole text.
    #[test]
    fn windows_read_like_the_whole_text() {
        let text = "a: 1\r\nb: Grüße\n\rc: ☠️\n\n  - x\r  - y\nlast";
        let source = IndexedSource::new(Arc::from(text));
        let boundaries: Vec<usize> = (0..=text.len())
            .filter(|&i| text.is_char_boundary(i))
            .collect();
        for &from in &boundaries {
            for &to in boundaries.iter().filter(|&&to| to >= from) {
                for context in [0, 1, 2, 3] {
                    let span = SourceSpan::new(from.into(), to - from);
                    let want = text.as_bytes().read_span(&span, context, context);
                    let got = source.read_span(&span, context, context);
                    let (want, got) = match (want, got) {
                        (Ok(want), Ok(got)) => (want, got),
                        (want, got) => {
                            assert_eq!(want.is_err(), got.is_err(), "{from}..{to}");
                            continue;
                        }
                    };
                    let key = |c: &dyn SpanContents| {
                        (
                            c.data().to_vec(),
                            c.span().offset(),
                            c.span().len(),
                            c.line(),
                            c.column(),
                            c.line_count(),
                        )
                    };
                    assert_eq!(key(&*got), key(&*want), "{from}..{to} context {context}");
                }
            }
        }
    }
}
