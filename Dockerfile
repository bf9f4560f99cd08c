# eventref in a container: a static (musl) binary on an empty base image.
#   docker build -t eventref .
#   docker run --rm -v "$PWD:/site" eventref build
FROM rust:1-alpine AS build
RUN apk add --no-cache musl-dev
WORKDIR /src
COPY . .
RUN cargo build --release --locked && cp target/release/eventref /eventref

FROM scratch
COPY --from=build /eventref /eventref
WORKDIR /site
ENTRYPOINT ["/eventref"]
CMD ["--help"]
