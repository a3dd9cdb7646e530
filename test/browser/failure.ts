// The error a call rejects with (or throws), as name and message, for cases to hand back to vitest.

export async function failure(run: () => unknown): Promise<{ name: string; message: string } | null> {
  try {
    await run();
    return null;
  } catch (error) {
    return { name: (error as Error).name, message: (error as Error).message };
  }
}
