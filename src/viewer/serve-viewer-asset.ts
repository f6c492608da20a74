import type { ServerResponse } from 'node:http';
import { send, sendFile } from './http-responses.js';
import { RUN_PANEL_SCRIPT } from './run-panel-script.js';
import { VIEWER_SCRIPT } from './viewer-script.js';
import { VIEWER_STYLE } from './viewer-style.js';

/**
 * Serves a file a run's page loads (its scripts and style, the chart library, the favicon), the
 * same from the trace viewer and the console. Returns false, having sent nothing, for any other path.
 */
export function serveViewerAsset(path: string, response: ServerResponse, { echartsPath }: { echartsPath: string }): boolean {
  switch (path) {
    case '/viewer.js':
      send(response, 200, 'text/javascript; charset=utf-8', VIEWER_SCRIPT);
      return true;
    case '/run-panel.js':
      send(response, 200, 'text/javascript; charset=utf-8', RUN_PANEL_SCRIPT);
      return true;
    case '/viewer.css':
      send(response, 200, 'text/css; charset=utf-8', VIEWER_STYLE);
      return true;
    case '/vendor/echarts.min.js':
      sendFile(response, echartsPath, 'text/javascript; charset=utf-8');
      return true;
    case '/favicon.ico':
      send(response, 204, 'text/plain; charset=utf-8', '');
      return true;
    default:
      return false;
  }
}
