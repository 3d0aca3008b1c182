/**
 * The --backend choices and vLLM's defaults, in a module that imports nothing, so the CLI can offer
 * and check them without loading the manifests (src/stack/backend.ts says what each backend is).
 */
export const BACKENDS = ["llm-sim", "vllm", "openai", "kserve"] as const;
export type BackendName = (typeof BACKENDS)[number];

export interface VllmSettings {
  image: string;
  model: string;
  gpus: number;
  /** GKE accelerator type of the node pool the pods must land on, e.g. nvidia-tesla-t4. */
  accelerator: string;
}

export type Backend =
  | { name: "llm-sim" }
  | { name: "vllm"; vllm: VllmSettings }
  | { name: "openai"; url: string }
  | { name: "kserve"; vllm: VllmSettings };

/**
 * Defaults from REFERENCE-STACKS D (gemma-2b-it, half precision, 2048 tokens of context, one
 * accelerator on a T4 pool). The image is vLLM's own OpenAI server image, as vLLM's Kubernetes
 * guide names it; pin a tag with --vllm-image.
 */
export const VLLM_DEFAULTS: VllmSettings = {
  image: "vllm/vllm-openai:latest",
  model: "google/gemma-2b-it",
  gpus: 1,
  accelerator: "nvidia-tesla-t4",
};
