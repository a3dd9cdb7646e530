// 0, 1, …, n - 1: the counter of every loop the kernel generators write out instead of leaving to the adapter.
export const indices = (n: number): number[] => [...Array(n).keys()];
