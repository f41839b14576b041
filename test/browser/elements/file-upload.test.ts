import { expect, oneEvent } from '@open-wc/testing';
import { pngFile, until, mountKit } from './kit.js';

describe('restrictions, paste, keyboard', () => {
  it('rejects files over max-size and beyond max-files with their reasons', async () => {
    const { upload } = await mountKit();
    upload.maxSize = '1KB';
    upload.maxFiles = 2;
    const reasons: string[] = [];
    upload.addEventListener('ls-file-rejected', (e) => reasons.push(e.detail.reason));
    const big = new File([new Uint8Array(5000)], 'big.png', { type: 'image/png' });
    const saved = await upload.addFiles([big, await pngFile('1.png'), await pngFile('2.png'), await pngFile('3.png')]);
    expect(saved.map((f) => f.name)).to.deep.equal(['1.png', '2.png']);
    expect(reasons).to.deep.equal(['size', 'count']);
    // The reasons are on screen too, not only announced, until the next drop or "dismiss".
    await upload.updateComplete;
    const shown = () => [...upload.shadowRoot!.querySelectorAll('[part=rejection]')].map((li) => li.textContent!.trim());
    expect(shown()).to.have.length(2);
    expect(shown()[0]).to.contain('big.png');
    upload.shadowRoot!.querySelector<HTMLButtonElement>('button[part=dismiss]')!.click();
    await upload.updateComplete;
    expect(shown()).to.deep.equal([]);
  });

  it('fires input then change when files are added, as a native file input does', async () => {
    const { upload } = await mountKit();
    const events: string[] = [];
    upload.addEventListener('input', () => events.push('input'));
    upload.addEventListener('change', () => events.push(`change:${upload.value.length}`));
    await upload.addFiles([await pngFile()]);
    expect(events).to.deep.equal(['input', 'change:1']);
  });

  it('saves several files dropped on it at once', async () => {
    const { upload, gallery } = await mountKit();
    const transfer = new DataTransfer();
    transfer.items.add(await pngFile('one.png'));
    transfer.items.add(await pngFile('two.png'));
    const over = new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true, composed: true });
    upload.dispatchEvent(over);
    expect(over.defaultPrevented).to.equal(true, 'the drop zone accepts the drag');
    await upload.updateComplete;
    expect(upload.hasAttribute('dragging')).to.equal(true);
    upload.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true, composed: true }));
    // The gallery shows them as they are dropped; the control's value holds them once saved.
    await until(() => gallery.getAttribute('count') === '2' && upload.value.length === 2, 'both dropped files, saved');
    await upload.updateComplete;
    expect(upload.hasAttribute('dragging')).to.equal(false);
  });

  it('saves files pasted into it', async function () {
    const transfer = new DataTransfer();
    transfer.items.add(await pngFile('pasted.png'));
    // Firefox hands a paste made by a script an empty clipboard (a real paste carries the files): nothing to test there.
    if (new ClipboardEvent('paste', { clipboardData: transfer }).clipboardData?.files.length !== 1) this.skip();
    const { upload } = await mountKit();
    const added = oneEvent(upload, 'ls-file-added');
    upload.dispatchEvent(new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, composed: true }));
    expect((await added).detail.file.name).to.equal('pasted.png');
  });

  it('takes keyboard focus on its picker button', async () => {
    const { upload } = await mountKit();
    upload.focus();
    expect(upload.shadowRoot!.activeElement?.getAttribute('part')).to.equal('button');
  });
});
