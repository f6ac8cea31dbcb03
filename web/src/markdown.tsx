// Just enough Markdown for agents' replies, built as elements (never HTML strings, so nothing a
// model writes can inject markup): fenced code blocks, inline code, bold, and http(s) links. The
// rest stays text with its line breaks, which reads well for headings and lists too.
import type { ComponentChildren } from "preact";

const INLINE = /(`[^`\n]+`)|(\*\*[^*\n]+\*\*)|\[([^\]\n]+)\]\((https?:\/\/[^)\s]+)\)|(https?:\/\/[^\s<>()]+[^\s<>().,;:!?'"])/g;

function inline(text: string): ComponentChildren[] {
  const out: ComponentChildren[] = [];
  let last = 0;
  for (const match of text.matchAll(INLINE)) {
    if (match.index > last) out.push(text.slice(last, match.index));
    const [whole, code, bold, label, href, bare] = match;
    if (code) out.push(<code>{code.slice(1, -1)}</code>);
    else if (bold) out.push(<strong>{bold.slice(2, -2)}</strong>);
    else if (label && href)
      out.push(
        <a href={href} target="_blank" rel="noopener noreferrer">
          {label}
        </a>,
      );
    else if (bare)
      out.push(
        <a href={bare} target="_blank" rel="noopener noreferrer">
          {bare}
        </a>,
      );
    last = match.index + whole.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

export function Markdown(props: { text: string }) {
  // Odd pieces are the insides of ``` fences (an unclosed fence while streaming counts as code).
  const pieces = props.text.split(/^```[^\n]*\n?/m);
  return (
    <>
      {pieces.map((piece, i) =>
        i % 2 === 1 ? (
          <pre key={i} class="code">
            {piece.replace(/\n$/, "")}
          </pre>
        ) : (
          piece && <span key={i}>{inline(piece)}</span>
        ),
      )}
    </>
  );
}
