/**
 * Test helper: a DCMTK dcmprscp print SCP in a temp dir, from a configuration written like a copy of
 * /etc/dcmtk/dcmpstat.cfg with one printer section on 127.0.0.1 (PEERS.md), stopped by its PID.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, type RunningPeer, startAndWait } from './peers.js';

export interface PrintScp extends RunningPeer {
  readonly aeTitle: string;
  readonly databaseDir: string;
  /** Files the SCP stored in its database folder (Hardcopy Grayscale Image, Stored Print). */
  storedFiles(): Promise<string[]>;
}

export async function startDcmprscp(dir: string, aeTitle: string, supports12Bit: boolean): Promise<PrintScp> {
  const base = join(dir, aeTitle);
  const databaseDir = join(base, 'db');
  for (const d of ['db', 'log', 'spool', 'lut']) await mkdir(join(base, d), { recursive: true });
  const cfg = join(base, 'dcmpstat.cfg');
  const config = (port: number) => `[[GENERAL]]
[APPLICATION]
LogDirectory = ${join(base, 'log')}
LogFile = general.log
LogLevel = INFO
MessagePort = 0
KeepMessagePortOpen = false
[PRINT]
Spooler = dcmprscu
Server = dcmprscp
Directory = ${join(base, 'spool')}
DetailedLog = false
BinaryLog = false
Sleep = 5
MinPrintResolution = 16\\16
MaxPrintResolution = 8192\\8192
DefaultIllumination = 2000
DefaultReflection = 10
DeletePrintJobs = true
AlwaysDeleteTerminateJobs = true
[DATABASE]
Directory = ${databaseDir}
[LUT]
Directory = ${join(base, 'lut')}
[[COMMUNICATION]]
[${aeTitle}]
Aetitle = ${aeTitle}
Description = test printer
Hostname = 127.0.0.1
Port = ${port}
Type = LOCALPRINTER
BorderDensity = 150\\20\\BLACK\\WHITE
DisplayFormat=1,1\\1,2\\2,2
EmptyImageDensity = 20\\BLACK\\WHITE
FilmDestination = MAGAZINE\\PROCESSOR
FilmSizeID = 8INX10IN\\14INX17IN
ImplicitOnly = false
MagnificationType = REPLICATE\\BILINEAR\\CUBIC\\NONE
MaxDensity = 320
MaxPDU = 32768
MediumType = PAPER\\CLEAR FILM\\BLUE FILM
MinDensity = 20
PresentationLUTMatchRequired = false
PresentationLUTinFilmSession = false
SmoothingType = NONE
Supports12Bit = ${supports12Bit ? 'true' : 'false'}
SupportsDecimateCrop = true
SupportsImageSize = true
SupportsPresentationLUT = true
SupportsTrim = true
`;
  // dcmprscp reads its port from the configuration. +d dumps every DIMSE message to the output (the
  // film session is checked there: it is not stored; so is the order of the N-DELETEs).
  const port = await freePort();
  await writeFile(cfg, config(port));
  const peer = await startAndWait('dcmprscp', ['-c', cfg, '-p', aeTitle, '+d'], port);
  return {
    port: peer.port,
    pid: peer.pid,
    process: peer.process,
    output: peer.output,
    stop: peer.stop,
    aeTitle,
    databaseDir,
    storedFiles: async () =>
      (await readdir(databaseDir)).filter((f) => f.endsWith('.dcm')).map((f) => join(databaseDir, f)),
  };
}
