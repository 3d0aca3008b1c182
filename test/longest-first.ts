/**
 * Starts the real-mesh files (test/mesh-host/) before every other file of their phase. They
 * take a quarter of an hour each and everything else a few minutes, so on two workers they must
 * start first; vitest's own order on a fresh clone (no timings cached, as in CI) runs larger
 * files first, and these files are small.
 */
import { BaseSequencer, type TestSpecification } from "vitest/node";

const LONGEST = "/test/mesh-host/";

export class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const longest = sorted.filter((f) => f.moduleId.includes(LONGEST));
    return [...longest, ...sorted.filter((f) => !f.moduleId.includes(LONGEST))];
  }
}
