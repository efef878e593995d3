/**
 * The window logs switched on and off (`--log-dir DIR`, `TERMSENDER_LOG_DIR`,
 * `/set log on|off`): a LogWriter (windows/log-writer.ts) handed to the window
 * screen while on. `/set log on` without a folder given writes to the default
 * one (`$XDG_STATE_HOME/termsender/logs/`, else `~/.local/state/…`).
 */
import { renderProblem, renderStatus } from './render.js';
import { defaultLogDir } from './windows/log-paths.js';
import { LogWriter } from './windows/log-writer.js';
import type { WindowScreen } from './window-screen.js';

export interface WindowLogOptions {
  host: string;
  port: number;
  /** `--log-dir`: logging is on from the start, there. */
  dir?: string | undefined;
}

export class WindowLogs {
  constructor(private readonly screen: WindowScreen, private readonly options: WindowLogOptions) {
    if (options.dir !== undefined) this.open(options.dir);
  }

  /** `/set log on|off`: said in the shown window. */
  turn(on: boolean, say = true): void {
    if (on && this.screen.log === undefined) this.open(this.options.dir ?? defaultLogDir(process.env));
    if (!on && this.screen.log !== undefined) {
      this.screen.log.close();
      this.screen.log = undefined;
    }
    if (say) this.screen.terminal.print(renderStatus(`log ${on ? 'on' : 'off'}`));
  }

  private open(dir: string): void {
    this.screen.log = new LogWriter({
      dir, host: this.options.host, port: this.options.port,
      onProblem: (problem) => this.screen.statusLine(renderProblem(problem)),
    });
  }
}
