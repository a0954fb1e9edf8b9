/** A scored label. `confidence` is a probability (the model's calibrated estimate). */
export interface ScoredLabel {
  label: string;
  confidence: number;
}

export interface Prediction extends ScoredLabel {
  /** Labels by confidence, best first (at most 5). */
  top: ScoredLabel[];
}

/**
 * What every text classifier offers, whatever its algorithm: code never assumes which model is
 * loaded (SPEC 8: models are retrained and replaced while the code stays).
 */
export interface Classifier {
  readonly task: string;
  readonly version: string;
  readonly labels: readonly string[];
  predict(text: string, language?: string): Prediction;
  /** Per-label raw scores, for evidence: which part of a text pushed towards a label. */
  scoreFor(text: string, label: string, language?: string): number;
}
