/* eslint-disable @typescript-eslint/no-non-null-assertion -- typed-array and row indices here are in range by construction; noUncheckedIndexedAccess cannot see it. */
import { xgboostSplitThreshold } from './binning';
/** Slots per (feature, bin) in a histogram: sum of gradients, sum of hessians, row count. */
const SLOTS = 3;
/** XGBoost's `kRtEps`: its exact method splits a node only when the loss falls by more (gamma 0). */
const XGBOOST_MIN_SPLIT_LOSS_CHANGE = 1e-6;

export interface TreeGrowthParameters {
  readonly maxLeafNodes: number;
  readonly maxDepth: number | null;
  readonly minSamplesLeaf: number;
  readonly minHessianToSplit: number;
  readonly l2Regularization: number;
  readonly shrinkage: number;
}

/** The binned training rows the trees are grown on (row-major, 16 bits per value). */
export interface BinnedTrainingData {
  readonly binned: Uint16Array;
  readonly rowCount: number;
  readonly featureCount: number;
  /** Per feature: number of non-missing bins (thresholds + 1), which is also the feature's missing-value bin. */
  readonly nonMissingBinCounts: Int32Array;
  /** Per feature: the real-valued upper edge of each non-missing bin but the last. */
  readonly binThresholds: readonly Float64Array[];
  /**
   * Per feature, for XGBoost's exact greedy method only: the one float32 value each bin holds. With
   * it the trees are grown as XGBoost 1.x's `tree_method="exact"` grows them (`findBestXGBoostSplit`).
   */
  readonly exactValues?: readonly Float64Array[];
}

/**
 * Nodes of one grown tree in creation order (the root first). A leaf has feature −1. `value` is
 * the shrunk Newton step −shrinkage·G/(H + λ) of the node's rows; internal nodes keep theirs so that
 * predictions can be explained feature by feature.
 */
export interface GrownTree {
  readonly feature: number[];
  readonly threshold: number[];
  readonly binThreshold: number[];
  readonly missingGoesLeft: boolean[];
  readonly left: number[];
  readonly right: number[];
  readonly value: number[];
}

interface SplitCandidate {
  gain: number;
  feature: number;
  binThreshold: number;
  /** XGBoost exact greedy only: the node's lowest non-empty bin right of the split, whose value bounds the split value. */
  rightBin?: number;
  missingGoesLeft: boolean;
  leftGradients: number;
  leftHessians: number;
  leftCount: number;
}

interface GrowingNode {
  readonly id: number;
  readonly start: number;
  readonly end: number;
  readonly sumGradients: number;
  readonly sumHessians: number;
  readonly depth: number;
  histogram: Float64Array | null;
  split: SplitCandidate | null;
}

/** Real threshold for "all non-missing values go left" splits; finite so that it survives JSON. */
export const ALMOST_INFINITE = 1e300;

/**
 * Grows regression trees on gradients and hessians, leaf-wise (best-first): the leaf whose best split
 * gains most is split next, until `maxLeafNodes` leaves exist or no split gains. Split finding works
 * on per-bin gradient/hessian histograms, and a child's histogram is the parent's minus its
 * sibling's, so only the smaller child is ever scanned row by row.
 */
export class TreeGrower {
  private readonly sampleIndices: Uint32Array;
  private readonly partitionScratch: Uint32Array;
  private readonly histogramPool: Float64Array[] = [];
  private readonly histogramLength: number;
  /** Per feature: its first bin's position in a histogram (each feature has its non-missing bins and one missing-value bin). */
  private readonly histogramOffsets: Int32Array;

  constructor(
    private readonly data: BinnedTrainingData,
    private readonly parameters: TreeGrowthParameters,
  ) {
    this.sampleIndices = new Uint32Array(data.rowCount);
    this.partitionScratch = new Uint32Array(data.rowCount);
    this.histogramOffsets = new Int32Array(data.featureCount);
    let bins = 0;
    for (let f = 0; f < data.featureCount; f++) {
      this.histogramOffsets[f] = bins;
      bins += data.nonMissingBinCounts[f]! + 1;
    }
    this.histogramLength = bins * SLOTS;
  }

  /**
   * Grows one tree and reports, for each leaf, its value and the training rows that reached it, so
   * the caller can update training predictions without re-walking the tree. `subsample` (ascending
   * row indices) restricts growth to those rows; the others reach no leaf callback.
   */
  grow(gradients: Float64Array, hessians: Float64Array, onLeaf: (value: number, rows: Uint32Array) => void, subsample?: Uint32Array): GrownTree {
    const tree: GrownTree = { feature: [], threshold: [], binThreshold: [], missingGoesLeft: [], left: [], right: [], value: [] };
    // With a subsample (stochastic gradient boosting) the tree is grown on those rows only.
    let rowCount = this.data.rowCount;
    if (subsample) {
      rowCount = subsample.length;
      this.sampleIndices.set(subsample);
    } else {
      for (let i = 0; i < rowCount; i++) this.sampleIndices[i] = i;
    }
    let sumGradients = 0;
    let sumHessians = 0;
    for (let k = 0; k < rowCount; k++) {
      const i = this.sampleIndices[k]!;
      sumGradients += gradients[i]!;
      sumHessians += hessians[i]!;
    }
    const root = this.createNode(tree, 0, rowCount, sumGradients, sumHessians, 0);
    const leaves: GrowingNode[] = [];
    const splittable: GrowingNode[] = [];
    if (this.canSplit(root)) {
      root.histogram = this.buildHistogram(root, gradients, hessians);
      this.considerSplitting(root, splittable, leaves);
    } else {
      leaves.push(root);
    }
    let leafCount = 1;
    while (splittable.length > 0 && leafCount < this.parameters.maxLeafNodes) {
      const node = this.takeBestSplittable(splittable);
      const split = node.split!;
      const [left, right] = this.splitNode(tree, node, split);
      leafCount++;
      const leftCanSplit = this.canSplit(left);
      const rightCanSplit = this.canSplit(right);
      if (leftCanSplit || rightCanSplit) {
        const [smaller, larger] = left.end - left.start <= right.end - right.start ? [left, right] : [right, left];
        smaller.histogram = this.buildHistogram(smaller, gradients, hessians);
        // The parent's histogram becomes the larger child's by subtraction, in place.
        const parentHistogram = node.histogram!;
        node.histogram = null;
        if (this.canSplit(larger)) {
          for (let i = 0; i < this.histogramLength; i++) parentHistogram[i] = parentHistogram[i]! - smaller.histogram[i]!;
          larger.histogram = parentHistogram;
        } else {
          this.histogramPool.push(parentHistogram);
        }
      } else {
        this.releaseHistogram(node);
      }
      for (const child of [left, right]) {
        if (this.canSplit(child)) {
          this.considerSplitting(child, splittable, leaves);
        } else {
          this.releaseHistogram(child);
          leaves.push(child);
        }
      }
    }
    for (const node of splittable) {
      this.releaseHistogram(node);
      leaves.push(node);
    }
    for (const leaf of leaves) onLeaf(tree.value[leaf.id]!, this.sampleIndices.subarray(leaf.start, leaf.end));
    return tree;
  }

  private createNode(tree: GrownTree, start: number, end: number, sumGradients: number, sumHessians: number, depth: number): GrowingNode {
    const id = tree.feature.length;
    tree.feature.push(-1);
    tree.threshold.push(0);
    tree.binThreshold.push(0);
    tree.missingGoesLeft.push(false);
    tree.left.push(-1);
    tree.right.push(-1);
    tree.value.push(this.data.exactValues ? this.xgboostLeafValue(sumGradients, sumHessians) : (-this.parameters.shrinkage * sumGradients) / (sumHessians + this.parameters.l2Regularization + 1e-15));
    return { id, start, end, sumGradients, sumHessians, depth, histogram: null, split: null };
  }

  private canSplit(node: GrowingNode): boolean {
    const { maxDepth, minSamplesLeaf, minHessianToSplit } = this.parameters;
    if (maxDepth !== null && node.depth >= maxDepth) return false;
    return node.end - node.start >= 2 * minSamplesLeaf && node.sumHessians >= 2 * minHessianToSplit;
  }

  private considerSplitting(node: GrowingNode, splittable: GrowingNode[], leaves: GrowingNode[]): void {
    node.split = this.data.exactValues ? this.findBestXGBoostSplit(node, this.data.exactValues) : this.findBestSplit(node);
    if (node.split) {
      splittable.push(node);
    } else {
      this.releaseHistogram(node);
      leaves.push(node);
    }
  }

  /** Highest gain first; on a tie, the node that became splittable first, so growth is deterministic. */
  private takeBestSplittable(splittable: GrowingNode[]): GrowingNode {
    let best = 0;
    for (let i = 1; i < splittable.length; i++) {
      if (splittable[i]!.split!.gain > splittable[best]!.split!.gain) best = i;
    }
    return splittable.splice(best, 1)[0]!;
  }

  private acquireHistogram(): Float64Array {
    const recycled = this.histogramPool.pop();
    if (recycled) {
      recycled.fill(0);
      return recycled;
    }
    return new Float64Array(this.histogramLength);
  }

  private releaseHistogram(node: GrowingNode): void {
    if (node.histogram) this.histogramPool.push(node.histogram);
    node.histogram = null;
  }

  private buildHistogram(node: GrowingNode, gradients: Float64Array, hessians: Float64Array): Float64Array {
    const histogram = this.acquireHistogram();
    const { binned, featureCount } = this.data;
    const indices = this.sampleIndices;
    const offsets = this.histogramOffsets;
    for (let k = node.start; k < node.end; k++) {
      const row = indices[k]!;
      const gradient = gradients[row]!;
      const hessian = hessians[row]!;
      const rowOffset = row * featureCount;
      for (let f = 0; f < featureCount; f++) {
        const slot = (offsets[f]! + binned[rowOffset + f]!) * SLOTS;
        histogram[slot] = histogram[slot]! + gradient;
        histogram[slot + 1] = histogram[slot + 1]! + hessian;
        histogram[slot + 2] = histogram[slot + 2]! + 1;
      }
    }
    return histogram;
  }

  private score(gradients: number, hessians: number): number {
    return (gradients * gradients) / (hessians + this.parameters.l2Regularization);
  }

  /**
   * Best split of a node over all features and bins. Rows with a missing value go right in the
   * left-to-right scan and left in the right-to-left scan, so the better side is learned.
   */
  private findBestSplit(node: GrowingNode): SplitCandidate | null {
    const histogram = node.histogram!;
    const { featureCount, nonMissingBinCounts } = this.data;
    const { minSamplesLeaf, minHessianToSplit } = this.parameters;
    const totalGradients = node.sumGradients;
    const totalHessians = node.sumHessians;
    const totalCount = node.end - node.start;
    const parentScore = this.score(totalGradients, totalHessians);
    let best: SplitCandidate | null = null;
    let bestGain = 0;
    for (let f = 0; f < featureCount; f++) {
      const base = this.histogramOffsets[f]! * SLOTS;
      const binCount = nonMissingBinCounts[f]!;
      const missingCount = histogram[base + binCount * SLOTS + 2]!;
      // With missing values, "every non-missing value left, missing right" is a split too.
      const lastBin = missingCount > 0 ? binCount - 1 : binCount - 2;
      let leftGradients = 0;
      let leftHessians = 0;
      let leftCount = 0;
      for (let b = 0; b <= lastBin; b++) {
        const slot = base + b * SLOTS;
        leftGradients += histogram[slot]!;
        leftHessians += histogram[slot + 1]!;
        leftCount += histogram[slot + 2]!;
        const rightCount = totalCount - leftCount;
        const rightHessians = totalHessians - leftHessians;
        if (leftCount < minSamplesLeaf || leftHessians < minHessianToSplit) continue;
        if (rightCount < minSamplesLeaf || rightHessians < minHessianToSplit) break;
        const gain = this.score(leftGradients, leftHessians) + this.score(totalGradients - leftGradients, rightHessians) - parentScore;
        if (gain > bestGain) {
          bestGain = gain;
          best = { gain, feature: f, binThreshold: b, missingGoesLeft: missingCount > 0 ? false : leftCount > rightCount, leftGradients, leftHessians, leftCount };
        }
      }
      if (missingCount === 0) continue;
      let rightGradients = 0;
      let rightHessians = 0;
      let rightCount = 0;
      for (let b = binCount - 2; b >= 0; b--) {
        const slot = base + (b + 1) * SLOTS;
        rightGradients += histogram[slot]!;
        rightHessians += histogram[slot + 1]!;
        rightCount += histogram[slot + 2]!;
        const leftCountWithMissing = totalCount - rightCount;
        const leftHessiansWithMissing = totalHessians - rightHessians;
        if (rightCount < minSamplesLeaf || rightHessians < minHessianToSplit) continue;
        if (leftCountWithMissing < minSamplesLeaf || leftHessiansWithMissing < minHessianToSplit) break;
        const gain = this.score(totalGradients - rightGradients, leftHessiansWithMissing) + this.score(rightGradients, rightHessians) - parentScore;
        if (gain > bestGain) {
          bestGain = gain;
          best = {
            gain,
            feature: f,
            binThreshold: b,
            missingGoesLeft: true,
            leftGradients: totalGradients - rightGradients,
            leftHessians: leftHessiansWithMissing,
            leftCount: leftCountWithMissing,
          };
        }
      }
    }
    return best;
  }

  /** Stable partition of the node's rows into left then right, and the two children. */
  private splitNode(tree: GrownTree, node: GrowingNode, split: SplitCandidate): [GrowingNode, GrowingNode] {
    const { binned, featureCount, binThresholds, nonMissingBinCounts } = this.data;
    const indices = this.sampleIndices;
    const scratch = this.partitionScratch;
    let leftEnd = node.start;
    let rightCount = 0;
    for (let k = node.start; k < node.end; k++) {
      const row = indices[k]!;
      const bin = binned[row * featureCount + split.feature]!;
      const goesLeft = bin === nonMissingBinCounts[split.feature]! ? split.missingGoesLeft : bin <= split.binThreshold;
      if (goesLeft) indices[leftEnd++] = row;
      else scratch[rightCount++] = row;
    }
    indices.set(scratch.subarray(0, rightCount), leftEnd);
    if (leftEnd - node.start !== split.leftCount) {
      throw new Error(`split partition disagrees with its histogram: ${leftEnd - node.start} rows left, expected ${split.leftCount}`);
    }
    const thresholds = binThresholds[split.feature]!;
    const splitsOffMissingOnly = split.binThreshold === nonMissingBinCounts[split.feature]! - 1;
    tree.feature[node.id] = split.feature;
    tree.binThreshold[node.id] = split.binThreshold;
    tree.threshold[node.id] = splitsOffMissingOnly ? ALMOST_INFINITE : thresholds[split.binThreshold]!;
    if (this.data.exactValues && split.rightBin !== undefined) this.placeXGBoostThreshold(tree, node.id, this.data.exactValues[split.feature]!, split.binThreshold, split.rightBin);
    tree.missingGoesLeft[node.id] = split.missingGoesLeft;
    const left = this.createNode(tree, node.start, leftEnd, split.leftGradients, split.leftHessians, node.depth + 1);
    const right = this.createNode(
      tree,
      leftEnd,
      node.end,
      node.sumGradients - split.leftGradients,
      node.sumHessians - split.leftHessians,
      node.depth + 1,
    );
    tree.left[node.id] = left.id;
    tree.right[node.id] = right.id;
    return [left, right];
  }

  /**
   * The leaf value as XGBoost computes it: the Newton step −G/(H + λ) in float32 (0 when the node
   * holds less hessian than min_child_weight), times the learning rate in float32.
   */
  private xgboostLeafValue(sumGradients: number, sumHessians: number): number {
    const { l2Regularization, minHessianToSplit, shrinkage } = this.parameters;
    const weight = sumHessians < minHessianToSplit || sumHessians <= 0 ? 0 : Math.fround(-sumGradients / (sumHessians + Math.fround(l2Regularization)));
    return Math.fround(weight * Math.fround(shrinkage));
  }

  /** One child's gain G²/(H + λ) as XGBoost returns it: computed in double, rounded to float32. */
  private xgboostGain(gradients: number, hessians: number): number {
    return Math.fround((gradients * gradients) / (hessians + Math.fround(this.parameters.l2Regularization)));
  }

  /**
   * XGBoost 1.x's exact greedy split search for dense data (`ColMaker`'s backward enumeration, as it
   * runs when no value is missing): per feature, the node's distinct values from the largest down,
   * a candidate at each boundary whose two sides both hold min_child_weight of hessian; the loss
   * change in float32 (float32 child gains summed in float32, minus the float32 parent gain); the
   * highest wins, on a tie the first in that order within a feature and the lower feature index
   * across features; a split only when the loss change exceeds XGBoost's kRtEps (10⁻⁶).
   */
  private findBestXGBoostSplit(node: GrowingNode, exactValues: readonly Float64Array[]): SplitCandidate | null {
    const histogram = node.histogram!;
    const { featureCount, nonMissingBinCounts } = this.data;
    const { minHessianToSplit } = this.parameters;
    const totalGradients = node.sumGradients;
    const totalHessians = node.sumHessians;
    const totalCount = node.end - node.start;
    const parentGain = this.xgboostGain(totalGradients, totalHessians);
    let best: SplitCandidate | null = null;
    let bestLossChange = -Infinity;
    for (let f = 0; f < featureCount; f++) {
      const base = this.histogramOffsets[f]! * SLOTS;
      const binCount = nonMissingBinCounts[f]!;
      if (histogram[base + binCount * SLOTS + 2]! > 0) throw new Error(`XGBoost's exact method is followed only without missing values; feature ${f} has some`);
      if (exactValues[f]!.length !== binCount) throw new Error(`feature ${f}: ${exactValues[f]!.length} exact values for ${binCount} bins`);
      let rightGradients = 0;
      let rightHessians = 0;
      let rightCount = 0;
      let lowestRightBin = -1;
      for (let b = binCount - 1; b >= 0; b--) {
        const slot = base + b * SLOTS;
        const count = histogram[slot + 2]!;
        if (count === 0) continue;
        if (rightCount > 0 && rightHessians >= minHessianToSplit) {
          const leftHessians = totalHessians - rightHessians;
          if (leftHessians >= minHessianToSplit) {
            const childGains = Math.fround(this.xgboostGain(totalGradients - rightGradients, leftHessians) + this.xgboostGain(rightGradients, rightHessians));
            const lossChange = Math.fround(childGains - parentGain);
            if (lossChange > bestLossChange) {
              bestLossChange = lossChange;
              best = {
                gain: lossChange,
                feature: f,
                binThreshold: b,
                rightBin: lowestRightBin,
                missingGoesLeft: false,
                leftGradients: totalGradients - rightGradients,
                leftHessians,
                leftCount: totalCount - rightCount,
              };
            }
          }
        }
        rightGradients += histogram[slot]!;
        rightHessians += histogram[slot + 1]!;
        rightCount += count;
        lowestRightBin = b;
      }
    }
    return best && bestLossChange > XGBOOST_MIN_SPLIT_LOSS_CHANGE ? best : null;
  }

  /**
   * XGBoost's split value lies midway between the node's neighbouring values, not the whole
   * column's, so a value that only other nodes hold (or an unseen one) between the two goes the
   * way XGBoost sends it: the threshold is recomputed from the node's values, and the bin
   * threshold follows it for bins with no row in this node.
   */
  private placeXGBoostThreshold(tree: GrownTree, nodeId: number, values: Float64Array, leftBin: number, rightBin: number): void {
    const threshold = xgboostSplitThreshold(values[leftBin]!, values[rightBin]!);
    let binThreshold = leftBin;
    while (binThreshold + 1 < rightBin && values[binThreshold + 1]! <= threshold) binThreshold++;
    tree.threshold[nodeId] = threshold;
    tree.binThreshold[nodeId] = binThreshold;
  }
}
