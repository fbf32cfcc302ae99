import { Writable } from 'node:stream'

/** A stream to hand a logger as its destination, and the lines written to it. */
export function captureLogs(): { stream: Writable; lines: string[] } {
  const lines: string[] = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(chunk.toString())
      done()
    },
  })
  return { stream, lines }
}
