/* eslint-disable @typescript-eslint/no-non-null-assertion -- typed-array and row indices here are in range by construction; noUncheckedIndexedAccess cannot see it. */
import { z } from 'zod';
import { assertRowWidth, type FeatureContributions } from '../classifier';
import type { GrownTree } from './tree-grower';

/**
 * The trees of a boosted model in flat typed arrays, shared by the classifier (raw score =
 * log-odds) and the regressor (raw score = the prediction). Child indices are global; a leaf has
 * feature −1; internal nodes keep their own value so a prediction can be explained per feature.
 */
export interface Forest {
  readonly roots: Int32Array;
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  readonly missingGoesLeft: Uint8Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly value: Float64Array;
}

export const serializedForestSchema = z.object({
  roots: z.array(z.number().int().min(0)),
  feature: z.array(z.number().int().min(-1)),
  threshold: z.array(z.number()),
  missingGoesLeft: z.array(z.union([z.literal(0), z.literal(1)])),
  left: z.array(z.number().int().min(-1)),
  right: z.array(z.number().int().min(-1)),
  value: z.array(z.number()),
});

export type SerializedForest = z.infer<typeof serializedForestSchema>;

export function flattenTrees(trees: readonly GrownTree[]): Forest {
  const nodeCount = trees.reduce((total, tree) => total + tree.feature.length, 0);
  const forest: Forest = {
    roots: new Int32Array(trees.length),
    feature: new Int32Array(nodeCount),
    threshold: new Float64Array(nodeCount),
    missingGoesLeft: new Uint8Array(nodeCount),
    left: new Int32Array(nodeCount),
    right: new Int32Array(nodeCount),
    value: new Float64Array(nodeCount),
  };
  let offset = 0;
  trees.forEach((tree, t) => {
    forest.roots[t] = offset;
    for (let i = 0; i < tree.feature.length; i++) {
      const isLeaf = tree.feature[i]! < 0;
      forest.feature[offset + i] = tree.feature[i]!;
      forest.threshold[offset + i] = tree.threshold[i]!;
      forest.missingGoesLeft[offset + i] = tree.missingGoesLeft[i]! ? 1 : 0;
      forest.left[offset + i] = isLeaf ? -1 : offset + tree.left[i]!;
      forest.right[offset + i] = isLeaf ? -1 : offset + tree.right[i]!;
      forest.value[offset + i] = tree.value[i]!;
    }
    offset += tree.feature.length;
  });
  return forest;
}

/** Validates stored trees (lengths, feature indices, children after parents so no walk can loop) and rebuilds the typed arrays. */
export function forestFromJSON(trees: SerializedForest, featureCount: number): Forest {
  const nodeCount = trees.feature.length;
  for (const column of ['threshold', 'missingGoesLeft', 'left', 'right', 'value'] as const) {
    if (trees[column].length !== nodeCount) throw new Error(`trees.${column} has ${trees[column].length} entries, expected ${nodeCount}`);
  }
  for (let node = 0; node < nodeCount; node++) {
    const feature = trees.feature[node]!;
    if (feature >= featureCount) throw new Error(`node ${node} splits on feature ${feature}, the model has ${featureCount}`);
    // Children always come after their parent, so every walk from a root ends at a leaf.
    if (feature >= 0 && !(trees.left[node]! > node && trees.right[node]! > node && trees.left[node]! < nodeCount && trees.right[node]! < nodeCount)) {
      throw new Error(`node ${node} has invalid children ${trees.left[node]}, ${trees.right[node]}`);
    }
  }
  if (trees.roots.some((root) => root >= nodeCount)) throw new Error('a tree root lies outside the node arrays');
  return {
    roots: Int32Array.from(trees.roots),
    feature: Int32Array.from(trees.feature),
    threshold: Float64Array.from(trees.threshold),
    missingGoesLeft: Uint8Array.from(trees.missingGoesLeft),
    left: Int32Array.from(trees.left),
    right: Int32Array.from(trees.right),
    value: Float64Array.from(trees.value),
  };
}

export function forestToJSON(forest: Forest): SerializedForest {
  const { roots, feature, threshold, missingGoesLeft, left, right, value } = forest;
  return {
    roots: Array.from(roots),
    feature: Array.from(feature),
    threshold: Array.from(threshold),
    missingGoesLeft: Array.from(missingGoesLeft, (flag) => (flag === 1 ? 1 : 0)),
    left: Array.from(left),
    right: Array.from(right),
    value: Array.from(value),
  };
}

/** The start value plus every tree's leaf value for one row. */
export function predictRaw(forest: Forest, baseline: number, row: ArrayLike<number>, featureNames: readonly string[]): number {
  assertRowWidth(row, featureNames);
  const { roots, feature, threshold, missingGoesLeft, left, right, value } = forest;
  let raw = baseline;
  for (let t = 0; t < roots.length; t++) {
    let node = roots[t]!;
    let splitFeature = feature[node]!;
    while (splitFeature >= 0) {
      const x = row[splitFeature]!;
      const goesLeft = Number.isNaN(x) ? missingGoesLeft[node] === 1 : x <= threshold[node]!;
      node = goesLeft ? left[node]! : right[node]!;
      splitFeature = feature[node]!;
    }
    raw += value[node]!;
  }
  return raw;
}

/** Per-feature contributions along each tree's decision path (Saabas): the change in node value at each split. */
export function explainRaw(forest: Forest, baseline: number, row: ArrayLike<number>, featureNames: readonly string[]): FeatureContributions {
  assertRowWidth(row, featureNames);
  const { roots, feature, threshold, missingGoesLeft, left, right, value } = forest;
  const contributions = new Float64Array(featureNames.length);
  let bias = baseline;
  for (let t = 0; t < roots.length; t++) {
    let node = roots[t]!;
    bias += value[node]!;
    while (feature[node]! >= 0) {
      const splitFeature = feature[node]!;
      const x = row[splitFeature]!;
      const goesLeft = Number.isNaN(x) ? missingGoesLeft[node] === 1 : x <= threshold[node]!;
      const child = goesLeft ? left[node]! : right[node]!;
      contributions[splitFeature] = contributions[splitFeature]! + value[child]! - value[node]!;
      node = child;
    }
  }
  return { bias, contributions };
}
