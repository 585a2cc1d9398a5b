// The Node.js runtime of Nubes: polls the Lambda Runtime API and calls the handler.
// Handlers may be async (return a promise) or take a callback, as on Lambda.
"use strict";

const http = require("http");
const path = require("path");
const { pathToFileURL } = require("url");

const API = process.env.AWS_LAMBDA_RUNTIME_API;
const PREFIX = "/2018-06-01/runtime";
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function request(method, route, body, headers) {
  const [host, port] = API.split(":");
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host, port, method, path: PREFIX + route, agent, headers: headers || {} },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
      });
    req.on("error", reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

function errorDocument(err) {
  const error = err instanceof Error ? err : new Error(String(err));
  return {
    errorType: error.name || "Error",
    errorMessage: error.message,
    trace: (error.stack || "").split("\n"),
  };
}

function post(route, doc, errorType) {
  const body = JSON.stringify(doc);
  const headers = { "Content-Type": "application/json" };
  if (errorType) headers["Lambda-Runtime-Function-Error-Type"] = errorType;
  return request("POST", route, body, headers);
}

// As AWS's runtime words them: "SyntaxError: ..." as Runtime.UserCodeSyntaxError, and
// "Error: Cannot find module 'index'" (never a host path) as Runtime.ImportModuleError.
function importError(e, moduleName, base) {
  const types = { SyntaxError: "Runtime.UserCodeSyntaxError",
                  MODULE_NOT_FOUND: "Runtime.ImportModuleError" };
  const type = e instanceof SyntaxError ? types.SyntaxError : types[e.code];
  if (!type) return Object.assign(e, { lambdaType: e.name });
  const message = String(e.message).split(__filename).join("/var/runtime/index.mjs")
    .split(`'${base}'`).join(`'${moduleName}'`);
  const err = new Error(`${e.name || "Error"}: ${message}`);
  err.name = type;
  err.stack = `${type}: ${err.message}\n${String(e.stack).split("\n").slice(1).join("\n")}`;
  err.lambdaType = type;
  return err;
}

async function loadHandler() {
  const spec = process.env._HANDLER || "index.handler";
  const dot = spec.lastIndexOf(".");
  const moduleName = spec.slice(0, dot);
  const fnName = spec.slice(dot + 1);
  const root = process.env.LAMBDA_TASK_ROOT;
  let mod;
  try {
    const base = path.resolve(root, moduleName);
    for (const ext of [".js", ".mjs", ".cjs"]) {
      try {
        require("fs").accessSync(base + ext);
        mod = ext === ".mjs" ? await import(pathToFileURL(base + ext).href) : require(base + ext);
        break;
      } catch (e) {
        if (e.code !== "ENOENT") throw e;
      }
    }
    if (mod === undefined) mod = require(base);
  } catch (e) {
    throw importError(e, moduleName, path.resolve(root, moduleName));
  }
  const handler = mod[fnName] || (mod.default && mod.default[fnName]);
  if (typeof handler !== "function") {
    const err = new Error(`${spec} is undefined or not exported`);
    err.name = "Runtime.HandlerNotFound";
    err.lambdaType = err.name;
    throw err;
  }
  return handler;
}

function makeContext(headers) {
  const deadline = Number(headers["lambda-runtime-deadline-ms"]);
  const env = process.env;
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: headers["lambda-runtime-invoked-function-arn"],
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: headers["lambda-runtime-aws-request-id"],
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    getRemainingTimeInMillis: () => Math.max(deadline - Date.now(), 0),
  };
  if (headers["lambda-runtime-client-context"]) {
    context.clientContext = JSON.parse(headers["lambda-runtime-client-context"]);
  }
  if (headers["lambda-runtime-cognito-identity"]) {
    context.identity = JSON.parse(headers["lambda-runtime-cognito-identity"]);
  }
  return context;
}

function runHandler(handler, event, context) {
  return new Promise((resolve, reject) => {
    const callback = (err, result) => (err ? reject(err) : resolve(result));
    context.done = callback;
    context.succeed = (result) => resolve(result);
    context.fail = (err) => reject(err);
    try {
      const out = handler(event, context, callback);
      if (out && typeof out.then === "function") out.then(resolve, reject);
    } catch (e) {
      reject(e);
    }
  });
}

async function main() {
  let handler;
  try {
    handler = await loadHandler();
  } catch (e) {
    const doc = errorDocument(e);
    console.error(`${doc.errorType}: ${doc.errorMessage}`);
    await post("/init/error", doc, e.lambdaType || doc.errorType);
    process.exit(1);
  }
  for (;;) {
    const next = await request("GET", "/invocation/next");
    const id = next.headers["lambda-runtime-aws-request-id"];
    const event = next.body.length ? JSON.parse(next.body.toString()) : {};
    try {
      const result = await runHandler(handler, event, makeContext(next.headers));
      await request("POST", `/invocation/${id}/response`,
                    JSON.stringify(result === undefined ? null : result));
    } catch (e) {
      const doc = errorDocument(e);
      console.error(`${new Date().toISOString()}\t${id}\tERROR\t${e && e.stack ? e.stack : e}`);
      await post(`/invocation/${id}/error`, doc, doc.errorType);
    }
  }
}

main();
