/** The launchers behind one interface (types.ts): local torchrun and Slurm. */
export { createLocalLauncher, torchrunArgs, type LocalLauncherOptions } from './local.ts';
export { createSlurmLauncher, parseSinfo, type PartitionInfo, type SlurmLauncherOptions } from './slurm.ts';
export { renderSbatch, shellQuote, type SbatchOptions } from './sbatch.ts';
export { failedRankFromOutput, type LaunchExit, type LaunchHandle, type LaunchIo, type Launcher, type LauncherType, type LaunchSpec } from './types.ts';
