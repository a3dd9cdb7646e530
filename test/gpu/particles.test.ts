// examples/particles: an app that owns its device samples an MDN inside its own frames' encoders.
import { describe, expect, it } from 'vitest';
import { openGpuPage } from './page.js';

describe('examples/particles', () => {
  it('samples finite, spread-out y for its particles every frame and draws them, without console errors', async () => {
    const page = await openGpuPage('examples/particles/index.html?offscreen=1', "typeof window.particles === 'object' && window.particles.frames() >= 30");
    try {
      const r = await page.page.evaluate(() => (window as unknown as { particles: { check(): Promise<Record<string, number | boolean>> } }).particles.check());
      expect(r.finite).toBe(true);
      expect(r.frames).toBeGreaterThanOrEqual(30);
      // y is standardised; samples from a trained model spread over the branches (sd near 1, mean near 0).
      expect(r.sd).toBeGreaterThan(0.5);
      expect(Math.abs(r.mean as number)).toBeLessThan(0.5);
      // The render pass drew them: thousands of lit pixels on the dark background.
      expect(r.lit).toBeGreaterThan(2000);
      expect(page.errors).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
