/** A stand-in for process.stderr that records what is written to it (a terminal when `isTTY`). */
export function fakeStream(isTTY: boolean): NodeJS.WriteStream & { text: string } {
  const s = {
    isTTY,
    columns: 80,
    text: "",
    write(chunk: string) {
      s.text += chunk;
      return true;
    },
    on: () => s,
    removeListener: () => s,
  };
  return s as unknown as NodeJS.WriteStream & { text: string };
}
