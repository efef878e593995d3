/** What Tab offers for a line: the candidates and the part of the line they replace. */
export type Completer = (line: string) => Promise<[string[], string]>;

/**
 * What the chat screen needs of the terminal. `Screen` is the real one; tests
 * drive the chat controller through a fake, with no TTY.
 */
export interface ChatTerminal {
  /** Columns to wrap to. */
  readonly columns: number;
  /** The screen's height in rows (undefined: not known). */
  readonly rows?: number;
  /** Prints `text` (one or more lines) above the prompt. */
  print(text: string): void;
  /** Removes the echo of a line just entered (it is shown again as a message). */
  eraseEcho(line: string): void;
  /** Starts the chat prompt; `onLine` gets every line typed. */
  startChat(prompt: string, onLine: (line: string) => void): void;
  setPrompt(prompt: string): void;
  setCompleter(completer: Completer): void;
  onInterrupt(handler: () => void): void;
  onEnd(handler: () => void): void;
  /** A bracketed paste of more than one line: `handler` gets it whole (newlines kept), not line by line. */
  onPaste?(handler: (text: string) => void): void;
  /** Rings the terminal's bell (BEL). */
  bell?(): void;
  /** Asks a question at the chat prompt (a confirmation); `secret` without echo (a password). */
  question?(query: string): Promise<string>;
  secret?(query: string): Promise<string>;
  /** Alt-`name` (Meta) at the chat prompt, a key readline leaves alone. */
  onMetaKey?(name: string, handler: () => void): void;
  /** One status line just above the prompt, updated in place (what `print` prints goes above it); undefined removes it. */
  setStatus?(text: string | undefined): void;
  /** Ends input and restores the terminal. */
  close(): void;
}
