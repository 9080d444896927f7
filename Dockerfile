# syntax=docker/dockerfile:1
# One image recipe for every promptq service; docker-compose.yml passes SERVICE and PORT. By hand:
#   docker build --build-arg SERVICE=worker-service --build-arg PORT=8082 -t promptq/worker-service .
ARG SERVICE
ARG PORT

FROM maven:3.9-eclipse-temurin-21 AS build
ARG SERVICE
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2 \
    test -n "${SERVICE}" && mvn -B -ntp -pl "${SERVICE}" -am package -Dmaven.test.skip=true

FROM eclipse-temurin:21-jre
ARG SERVICE
ARG PORT
RUN useradd --system --uid 10001 promptq
WORKDIR /app
COPY --from=build /src/${SERVICE}/target/lib/ lib/
COPY --from=build /src/${SERVICE}/target/${SERVICE}.jar app.jar
USER promptq
ENV PROMPTQ_HTTP_HOST=0.0.0.0 \
    PROMPTQ_HTTP_PORT=${PORT} \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 --enable-native-access=ALL-UNNAMED"
EXPOSE ${PORT}
ENTRYPOINT ["java", "-jar", "/app/app.jar"]
