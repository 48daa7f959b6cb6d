import { execFileSync } from 'node:child_process';

/**
 * The text of a PDF, extracted by pdf-parse (pdf.js) in a separate Node process: pdf.js loads its
 * worker with a dynamic import, which Jest's module sandbox does not allow.
 */
export function pdfText(path: string): string {
  const script = `
    const { PDFParse } = require('pdf-parse');
    const parser = new PDFParse({ data: new Uint8Array(require('node:fs').readFileSync(process.argv[1])) });
    parser.getText().then(async (result) => { process.stdout.write(result.text); await parser.destroy(); });
  `;
  return execFileSync(process.execPath, ['-e', script, path], { encoding: 'utf8', cwd: __dirname });
}
