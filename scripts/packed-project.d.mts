export function ownVersion(name: string): string;
export function packedProject(extra?: string[]): { dir: string; tarball: string };
