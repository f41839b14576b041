/** Files for stories, generated in the browser so the stories need no binary fixtures. */

/** A JPEG of a soft gradient with a label, `width`×`height` pixels. */
export async function sampleImage(label: string, { width = 960, height = 640, hue = 210 } = {}): Promise<File> {
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d')!;
  const gradient = context.createLinearGradient(0, 0, width, height);
  gradient.addColorStop(0, `hsl(${hue} 70% 60%)`);
  gradient.addColorStop(1, `hsl(${(hue + 80) % 360} 70% 35%)`);
  context.fillStyle = gradient;
  context.fillRect(0, 0, width, height);
  context.fillStyle = 'rgb(255 255 255 / 0.9)';
  context.font = `600 ${Math.round(height / 8)}px system-ui, sans-serif`;
  context.textAlign = 'center';
  context.textBaseline = 'middle';
  context.fillText(label, width / 2, height / 2);
  const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.85 });
  return new File([blob], `${label.toLowerCase().replace(/\W+/g, '-')}.jpg`, { type: 'image/jpeg' });
}

/** A file of `size` bytes of noise (noise does not compress, so a transfer takes as long as its size says). */
export function sampleBytes(name: string, size: number, type = 'application/octet-stream'): File {
  const bytes = new Uint8Array(size);
  for (let offset = 0; offset < size; offset += 65_536) crypto.getRandomValues(bytes.subarray(offset, offset + 65_536));
  return new File([bytes], name, { type });
}
