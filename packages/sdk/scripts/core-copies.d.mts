export function copiedCoreFiles(): [string, string][];
