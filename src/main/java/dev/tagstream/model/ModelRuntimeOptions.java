package dev.tagstream.model;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * How {@link OnnxModelRepository} runs models. Immutable; the config package builds it from settings.
 *
 * @param modelsDir directory the catalog's {@code file} entries are relative to
 * @param providers execution providers in order of preference, e.g. {@code [cuda, cpu]}; the first that works is used
 * @param deviceId GPU index for CUDA and TensorRT
 * @param cudnnConvAlgoSearch CUDA {@code cudnn_conv_algo_search}: {@code EXHAUSTIVE}, {@code HEURISTIC} or
 *     {@code DEFAULT}
 * @param cpuArena whether the CPU allocator uses an arena (faster, keeps memory)
 * @param gpuMemLimitBytes CUDA arena limit in bytes, 0 for no limit
 * @param intraOpThreads threads per session for one operator; 0 lets ONNX Runtime decide (one per core)
 * @param maxLoadedModels sessions kept at once; the least recently used is closed beyond that
 * @param eager load at start (the default model, or every allow-listed one) instead of on first use
 * @param warmupBatchSizes batch sizes run once on zeros after loading (each at most {@code maxBatch}); empty for none
 * @param maxBatch largest batch one {@link Classifier#logits} call accepts
 */
public record ModelRuntimeOptions(
        Path modelsDir,
        List<ExecutionProvider> providers,
        int deviceId,
        String cudnnConvAlgoSearch,
        boolean cpuArena,
        long gpuMemLimitBytes,
        int intraOpThreads,
        int maxLoadedModels,
        boolean eager,
        List<Integer> warmupBatchSizes,
        int maxBatch) {

    static final Set<String> CUDNN_SEARCH = Set.of("EXHAUSTIVE", "HEURISTIC", "DEFAULT");

    public ModelRuntimeOptions {
        Objects.requireNonNull(modelsDir, "modelsDir");
        providers = List.copyOf(providers);
        warmupBatchSizes = List.copyOf(warmupBatchSizes);
        if (providers.isEmpty()) {
            throw new IllegalArgumentException("providers must name at least one execution provider");
        }
        if (providers.stream().distinct().count() != providers.size()) {
            throw new IllegalArgumentException("providers lists a provider twice: " + providers);
        }
        cudnnConvAlgoSearch = cudnnConvAlgoSearch.toUpperCase(Locale.ROOT);
        if (!CUDNN_SEARCH.contains(cudnnConvAlgoSearch)) {
            throw new IllegalArgumentException("cudnnConvAlgoSearch '" + cudnnConvAlgoSearch + "' is not one of "
                    + CUDNN_SEARCH);
        }
        if (deviceId < 0) {
            throw new IllegalArgumentException("deviceId must be >= 0, got " + deviceId);
        }
        if (gpuMemLimitBytes < 0) {
            throw new IllegalArgumentException("gpuMemLimitBytes must be >= 0, got " + gpuMemLimitBytes);
        }
        if (intraOpThreads < 0) {
            throw new IllegalArgumentException("intraOpThreads must be >= 0 (0 = ONNX Runtime's choice), got "
                    + intraOpThreads);
        }
        if (maxLoadedModels < 1) {
            throw new IllegalArgumentException("maxLoadedModels must be >= 1, got " + maxLoadedModels);
        }
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be >= 1, got " + maxBatch);
        }
        for (int b : warmupBatchSizes) {
            if (b < 1 || b > maxBatch) {
                throw new IllegalArgumentException("warm-up batch size " + b + " is not in 1.." + maxBatch + " (maxBatch)");
            }
        }
    }

    /**
     * Defaults: providers {@code cuda,cpu}, device 0, cuDNN {@code HEURISTIC}, CPU arena on, no GPU limit, ONNX
     * Runtime's thread count, 2 loaded models, lazy, warm-up at batch 1, max batch 32.
     */
    public static ModelRuntimeOptions defaults(Path modelsDir) {
        return new ModelRuntimeOptions(modelsDir, List.of(ExecutionProvider.CUDA, ExecutionProvider.CPU), 0,
                "HEURISTIC", true, 0, 0, 2, false, List.of(1), 32);
    }

    public ModelRuntimeOptions withProviders(List<ExecutionProvider> p) {
        return new ModelRuntimeOptions(modelsDir, p, deviceId, cudnnConvAlgoSearch, cpuArena, gpuMemLimitBytes,
                intraOpThreads, maxLoadedModels, eager, warmupBatchSizes, maxBatch);
    }

    public ModelRuntimeOptions withIntraOpThreads(int n) {
        return new ModelRuntimeOptions(modelsDir, providers, deviceId, cudnnConvAlgoSearch, cpuArena, gpuMemLimitBytes,
                n, maxLoadedModels, eager, warmupBatchSizes, maxBatch);
    }

    public ModelRuntimeOptions withMaxLoadedModels(int n) {
        return new ModelRuntimeOptions(modelsDir, providers, deviceId, cudnnConvAlgoSearch, cpuArena, gpuMemLimitBytes,
                intraOpThreads, n, eager, warmupBatchSizes, maxBatch);
    }

    public ModelRuntimeOptions withEager(boolean e) {
        return new ModelRuntimeOptions(modelsDir, providers, deviceId, cudnnConvAlgoSearch, cpuArena, gpuMemLimitBytes,
                intraOpThreads, maxLoadedModels, e, warmupBatchSizes, maxBatch);
    }

    public ModelRuntimeOptions withWarmup(List<Integer> sizes) {
        return new ModelRuntimeOptions(modelsDir, providers, deviceId, cudnnConvAlgoSearch, cpuArena, gpuMemLimitBytes,
                intraOpThreads, maxLoadedModels, eager, sizes, maxBatch);
    }

    public ModelRuntimeOptions withMaxBatch(int n) {
        return new ModelRuntimeOptions(modelsDir, providers, deviceId, cudnnConvAlgoSearch, cpuArena, gpuMemLimitBytes,
                intraOpThreads, maxLoadedModels, eager, warmupBatchSizes, n);
    }
}
