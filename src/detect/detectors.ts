/** @module The detectors the platform runs on every series, in the order they run. */
import type { DetectorKind } from './series-detector.ts';

export const DETECTORS: readonly DetectorKind[] = [];
