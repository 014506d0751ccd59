/**
 * Finds keys that appear more than once in the same JSON object of `text` (which `JSON.parse` silently
 * resolves to the last one), as field paths the way the API server's strict decoder reports them
 * (`metadata.labels.app`, `spec.containers[0].name`). Assumes `text` is valid JSON.
 */
export function findDuplicateFields(text: string): string[] {
  const duplicates: string[] = [];
  let i = 0;

  const skipSpace = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t'))
      i++;
  };
  const readString = (): string => {
    const start = i;
    i++; // opening quote
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++; // closing quote
    return JSON.parse(text.slice(start, i)) as string;
  };
  const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

  const value = (path: string): void => {
    skipSpace();
    const ch = text[i];
    if (ch === '{') {
      i++;
      const seen = new Set<string>();
      skipSpace();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        skipSpace();
        const key = readString();
        if (seen.has(key)) duplicates.push(join(path, key));
        seen.add(key);
        skipSpace();
        i++; // colon
        value(join(path, key));
        skipSpace();
        if (text[i++] === '}') return;
      }
    }
    if (ch === '[') {
      i++;
      skipSpace();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (let index = 0; ; index++) {
        value(`${path}[${index}]`);
        skipSpace();
        if (text[i++] === ']') return;
      }
    }
    if (ch === '"') {
      readString();
      return;
    }
    while (i < text.length && !',}] \n\r\t'.includes(text[i]!)) i++;
  };

  value('');
  return duplicates;
}
