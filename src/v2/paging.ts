// The v2 lists' paging: a page of `limit` items and opaque cursors (offsets) to the pages around it.
export function page<T>(items: T[], cursor: string | undefined, limit: number) {
  const start = cursor ? Number(Buffer.from(cursor, "base64url").toString()) || 0 : 0;
  const encode = (offset: number) => Buffer.from(String(offset)).toString("base64url");
  return {
    data: items.slice(start, start + limit),
    cursor: {
      ...(start > 0 ? { previous: encode(Math.max(0, start - limit)) } : {}),
      ...(start + limit < items.length ? { next: encode(start + limit) } : {}),
    },
  };
}
