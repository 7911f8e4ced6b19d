# syntax=docker/dockerfile:1.7
# tagstream, CPU image. Build: docker build -t tagstream:0.1.0 .   (GPU: Dockerfile.gpu)
# Tags are pinned to exact releases; pin digests too (tag@sha256:...) in your own registry mirror.

FROM maven:3.9.11-eclipse-temurin-17 AS build
WORKDIR /build
COPY pom.xml ./
COPY schemas/ schemas/
COPY src/main/ src/main/
RUN --mount=type=cache,target=/root/.m2 mvn -B -DskipTests package
# ONNX Runtime's native libraries, unpacked once here so the JVM loads them from /app/native
# (-Donnxruntime.native.path) instead of copying them out of the jar into a temp dir at every start.
RUN case "$(uname -m)" in x86_64) os_arch=linux-x64 ;; aarch64) os_arch=linux-aarch64 ;; \
      *) echo "no ONNX Runtime build for $(uname -m)" >&2; exit 1 ;; esac \
 && mkdir -p /build/native && cd /build/native \
 && jar xf /build/target/tagstream.jar "ai/onnxruntime/native/$os_arch" \
 && mv "ai/onnxruntime/native/$os_arch"/* . && rm -rf ai

# libjpeg-turbo's Java binding, Debian's libturbojpeg-java: the JPEG decoder PIL links and the parity tests run on.
# Without it the service falls back to the JDK's decoder, 2-3x slower and not bit-identical to PIL
# (src/main/java/dev/tagstream/image/TurboJpeg.java; its start-up log line names the decoder in use). Taken from
# Debian 12, the same package this project's machines test with, rather than relying on the Ubuntu base to have it;
# the library needs nothing newer than glibc 2.14 and loads from /usr/lib/libturbojpeg.so.0.
FROM debian:12.12-slim AS turbojpeg
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libturbojpeg-java \
 && mkdir -p /out && cp /usr/share/java/turbojpeg.jar /out/ \
 && cp -L /usr/lib/*-linux-gnu/libturbojpeg.so.0 /out/

FROM eclipse-temurin:17.0.16_8-jre-noble
RUN groupadd --system --gid 10001 tagstream \
 && useradd --system --uid 10001 --gid tagstream --home-dir /app --shell /usr/sbin/nologin tagstream \
 && mkdir -p /models /tmp/tagstream /var/lib/tagstream \
 && chown tagstream:tagstream /models /tmp/tagstream /var/lib/tagstream
WORKDIR /app
COPY --from=build /build/target/tagstream.jar /app/tagstream.jar
COPY --from=build /build/native/ /app/native/
COPY --from=turbojpeg /out/turbojpeg.jar /usr/share/java/turbojpeg.jar
COPY --from=turbojpeg /out/libturbojpeg.so.0 /usr/lib/libturbojpeg.so.0
COPY config/ /app/config/
COPY --chmod=0755 docker/healthcheck.sh /app/bin/healthcheck
COPY --chmod=0755 docker/ensure-model.sh /app/bin/ensure-model

# java.io.tmpdir: ONNX Runtime always creates its temp directory there (Files.createTempDirectory), so it must be
# writable by the non-root user; onnxruntime.native.path: where the unpacked libraries above are found.
# JAVA_TOOL_OPTIONS rather than flags in ENTRYPOINT so that a deployment can replace them without a new image.
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -Djava.io.tmpdir=/tmp/tagstream -Donnxruntime.native.path=/app/native" \
    TAGSTREAM_MODELS_DIR=/models \
    TAGSTREAM_MODELS_CATALOG=/app/config/models.yaml \
    TAGSTREAM_MODELS_PROVIDERS=cpu \
    KAFKA_STATE_DIR=/var/lib/tagstream/state

VOLUME ["/models"]
USER 10001:10001
EXPOSE 9400
# The JRE image promises neither curl nor wget; the check is bash's /dev/tcp (docker/healthcheck.sh).
# /health/live answers once the default model is warm and Kafka Streams is started; readiness is for
# Compose and Kubernetes to check (/health/ready).
HEALTHCHECK --interval=15s --timeout=5s --start-period=180s --retries=3 CMD ["/app/bin/healthcheck", "/health/live"]
ENTRYPOINT ["java", "-jar", "/app/tagstream.jar"]
CMD ["run"]
