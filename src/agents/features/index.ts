export { CONTEXT_FEATURE_NAMES, ContextFeatures, NUM_CONTEXT_FEATURES, TRANSITION_WEIGHTS, contextWeightGradient, type ContextFeatureOptions } from './context-features.js';
export { HISTORY_FEATURE_NAMES, HistoryFeatures, NUM_HISTORY_FEATURES } from './history-features.js';
export { TransitionsByDay } from './transitions-by-day.js';
export { FeatureSoftmax, UNSEEN_LOGIT, type FeatureSoftmaxOptions } from './feature-softmax.js';
