#!/bin/sh
# Makes sure the models directory holds a verified file for one model, before the processor starts.
#   ensure-model [MODEL]   (default: $TAGSTREAM_MODEL_DEFAULT, else resnet50_swsl; a catalog name, not an alias)
# Present and matching the catalog's SHA-256 (or not pinned): nothing to do. Missing: synthesize it (seeded,
# UNTRAINED weights; the synthesizer writes a temporary file and renames it, so parallel runs on a shared volume
# do not see half a file). Present but not matching: fail, never overwrite a file someone put there.
set -eu
model="${1:-${TAGSTREAM_MODEL_DEFAULT:-resnet50_swsl}}"
dir="${TAGSTREAM_MODELS_DIR:-/models}"
catalog="${TAGSTREAM_MODELS_CATALOG:-/app/config/models.yaml}"
jar="${TAGSTREAM_JAR:-/app/tagstream.jar}"
tagstream() { java -jar "$jar" "$@"; }
status() { tagstream models list --catalog "$catalog" --dir "$dir" | awk -v m="$model" '$1 == m'; }

line="$(status)"
if [ -z "$line" ]; then
  echo "ensure-model: $model is not a model name in $catalog" >&2
  exit 2
fi
case "$line" in
  *" missing "*)
    echo "ensure-model: no file for $model in $dir; synthesizing one with RANDOM, UNTRAINED weights" >&2
    tagstream models synth "$model" --catalog "$catalog" --dir "$dir"
    line="$(status)"
    ;;
esac
case "$line" in
  *" verified"*|*"not pinned"*)
    echo "ensure-model: $line"
    ;;
  *)
    echo "ensure-model: the file for $model in $dir does not match the catalog: $line" >&2
    exit 1
    ;;
esac
