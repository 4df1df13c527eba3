'use strict';
/**
 * A real single-node Apache Kafka broker (KRaft, broker+controller in one JVM) for local
 * development and tests. The broker jars come from Maven Central (tools/kafka/pom.xml) and
 * run with the local JVM; no Docker.
 *
 *   const { ensureBroker, stopBroker, isBrokerUp } = require('../../tools/kafka/broker.js');
 *   const { brokers } = await ensureBroker({ port: 19092 });
 *   // extra server.properties (they override the defaults), e.g. a lower message size limit:
 *   await ensureBroker({ port: 14600, serverProperties: { 'message.max.bytes': '200000' } });
 *
 *   node tools/kafka/broker.js start|stop|status [--port N] [--data-dir DIR]
 *
 * The broker is started detached: it outlives the process that started it, and a later
 * ensureBroker() on the same port reuses it. Its data (topics, messages, offsets) lives in
 * the data dir and survives stop/start.
 */
const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');

const REPO_ROOT = path.resolve(__dirname, '../..');
const POM = path.join(__dirname, 'pom.xml');
const TARGET_DIR = path.join(__dirname, 'target');
const LIB_DIR = path.join(TARGET_DIR, 'lib');
const LIB_STAMP = path.join(LIB_DIR, '.pom.sha256');
const DEFAULT_PORT = 9092;
const START_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 30_000;
const MAIN_CLASS = 'kafka.Kafka';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function resolveDataDir(port, dataDir) {
  return path.resolve(REPO_ROOT, dataDir || path.join('tools', 'kafka', 'data', String(port)));
}

function filesOf(dataDir) {
  return {
    dataDir,
    logDir: path.join(dataDir, 'kraft-logs'),
    appLogDir: path.join(dataDir, 'logs'),
    serverProperties: path.join(dataDir, 'server.properties'),
    log4jProperties: path.join(dataDir, 'log4j.properties'),
    clusterIdFile: path.join(dataDir, 'cluster.id'),
    pidFile: path.join(dataDir, 'kafka.pid'),
    outFile: path.join(dataDir, 'kafka.out'),
    lockFile: path.join(dataDir, 'start.lock'),
  };
}

/* ------------------------------------------------------------------ processes */

function isProcessAlive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if (err.code !== 'EPERM') return false;
  }
  try {
    // A zombie (exited, not yet reaped) is not alive.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return true; // no procfs (macOS): trust kill(0)
  }
}

/** True if pid is alive and (where procfs can tell) is a Kafka broker JVM. */
function isKafkaProcess(pid) {
  if (!isProcessAlive(pid)) return false;
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.split('\0').includes(MAIN_CLASS);
  } catch {
    return true;
  }
}

function readPid(pidFile) {
  try {
    const pid = Number.parseInt(fs.readFileSync(pidFile, 'utf8').trim(), 10);
    return Number.isInteger(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', (err) =>
      reject(
        new Error(
          `cannot run ${cmd}: ${err.message}${err.code === 'ENOENT' ? ' (is it installed and on PATH?)' : ''}`,
        ),
      ),
    );
    child.on('close', (code) => {
      if (code === 0) resolve(output);
      else reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}\n${tail(output, 60)}`));
    });
  });
}

function tail(text, lines) {
  return text.split('\n').slice(-lines).join('\n');
}

function tailFile(file, lines = 60) {
  try {
    return tail(fs.readFileSync(file, 'utf8'), lines);
  } catch {
    return '(no output)';
  }
}

function javaBin() {
  return process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
}

function jvmOptions(files) {
  const heap = (process.env.KAFKA_HEAP_OPTS || '-Xms256m -Xmx768m').split(/\s+/).filter(Boolean);
  const extra = (process.env.KAFKA_JVM_OPTS || '').split(/\s+/).filter(Boolean);
  return [
    ...heap,
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:InitiatingHeapOccupancyPercent=35',
    '-XX:+ExplicitGCInvokesConcurrent',
    '-Djava.awt.headless=true',
    `-Dlog4j.configuration=${pathToFileUrl(files.log4jProperties)}`,
    `-Dkafka.logs.dir=${files.appLogDir}`,
    ...extra,
    '-cp',
    `${LIB_DIR}${path.sep}*`,
  ];
}

function pathToFileUrl(p) {
  return require('node:url').pathToFileURL(p).href;
}

/* ------------------------------------------------------------------ jars */

function pomHash() {
  return crypto.createHash('sha256').update(fs.readFileSync(POM)).digest('hex');
}

function jarsResolved() {
  try {
    const jars = fs.readdirSync(LIB_DIR).filter((f) => f.endsWith('.jar'));
    return (
      jars.some((f) => f.startsWith('kafka_2.13-')) && fs.readFileSync(LIB_STAMP, 'utf8').trim() === pomHash()
    );
  } catch {
    return false;
  }
}

/**
 * Copies the broker's runtime classpath from Maven Central into tools/kafka/target/lib.
 * Resolves into a private temp dir and renames it into place, so concurrent callers never
 * see a half-filled lib dir.
 */
async function ensureJars(log) {
  if (jarsResolved()) return;
  const started = Date.now();
  log(`[kafka] resolving broker jars from Maven Central (${path.relative(REPO_ROOT, POM)}) ...`);
  fs.mkdirSync(TARGET_DIR, { recursive: true });
  const tmp = path.join(TARGET_DIR, `lib.tmp-${process.pid}-${Date.now()}`);
  const mvn = process.env.MVN || 'mvn';
  try {
    await run(
      mvn,
      [
        '-q',
        '-B',
        '-Dstyle.color=never',
        '-f',
        POM,
        'dependency:copy-dependencies',
        `-Dkafka.lib.dir=${tmp}`,
      ],
      {
        cwd: __dirname,
      },
    );
    fs.writeFileSync(path.join(tmp, path.basename(LIB_STAMP)), `${pomHash()}\n`);
    if (jarsResolved()) return; // another process finished first
    fs.rmSync(LIB_DIR, { recursive: true, force: true });
    try {
      fs.renameSync(tmp, LIB_DIR);
    } catch (err) {
      if (!jarsResolved()) throw err;
    }
    log(`[kafka] jars resolved in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/* ------------------------------------------------------------------ config */

/** `extra` as properties lines: they come last, so they override the defaults above them. */
function extraProperties(extra) {
  const lines = Object.entries(extra || {}).map(([key, value]) => {
    if (!/^[a-z0-9._-]+$/i.test(key)) throw new Error(`broker property name "${key}" is not a property name`);
    if (/[\r\n]/.test(String(value))) throw new Error(`broker property ${key} holds a line break`);
    return `${key}=${value}`;
  });
  return lines.length === 0
    ? ''
    : `\n# Extra properties passed to ensureBroker({ serverProperties }).\n${lines.join('\n')}\n`;
}

function serverProperties({ port, controllerPort, files, extra }) {
  return `# Generated by tools/kafka/broker.js — rewritten on every start; edit broker.js instead.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:${controllerPort}
listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}
advertised.listeners=PLAINTEXT://127.0.0.1:${port}
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=${files.logDir}

# Topics are created explicitly (by the services' topic bootstrap), never by a typo.
auto.create.topics.enable=false
delete.topic.enable=true
num.partitions=3
default.replication.factor=1
min.insync.replicas=1

# Single node: internal topics with replication factor 1, fewer partitions than the default 50.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
group.initial.rebalance.delay.ms=0

# Dev-sized storage: small segments and indexes, bounded retention.
log.segment.bytes=16777216
log.index.size.max.bytes=1048576
log.retention.hours=72
log.retention.bytes=268435456
log.retention.check.interval.ms=60000
log.cleaner.dedupe.buffer.size=16777216
num.recovery.threads.per.data.dir=1

# Two cores: keep thread pools small.
num.network.threads=2
num.io.threads=4
background.threads=4
${extraProperties(extra)}`;
}

function log4jProperties(files) {
  const logFile = path.join(files.appLogDir, 'server.log').replace(/\\/g, '/');
  return `# Generated by tools/kafka/broker.js: broker logs go to a rolling file, not stdout.
log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.RollingFileAppender
log4j.appender.file.File=${logFile}
log4j.appender.file.MaxFileSize=10MB
log4j.appender.file.MaxBackupIndex=2
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka=INFO
log4j.logger.org.apache.kafka=INFO
log4j.logger.kafka.request.logger=WARN
log4j.logger.kafka.log.LogCleaner=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.authorizer.logger=WARN
log4j.logger.org.apache.zookeeper=WARN
`;
}

/** A Kafka cluster id is a base64url-encoded random 16-byte UUID, 22 characters. */
function newClusterId() {
  for (;;) {
    const id = crypto.randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function clusterIdOf(files) {
  try {
    const id = fs.readFileSync(files.clusterIdFile, 'utf8').trim();
    if (id) return id;
  } catch {
    /* first start */
  }
  const id = newClusterId();
  fs.writeFileSync(files.clusterIdFile, `${id}\n`);
  return id;
}

async function formatStorage(files) {
  if (fs.existsSync(path.join(files.logDir, 'meta.properties'))) return false;
  const clusterId = clusterIdOf(files);
  await run(
    javaBin(),
    [
      '-Xmx256m',
      `-Dlog4j.configuration=${pathToFileUrl(files.log4jProperties)}`,
      '-cp',
      `${LIB_DIR}${path.sep}*`,
      'kafka.tools.StorageTool',
      'format',
      '--ignore-formatted',
      '-t',
      clusterId,
      '-c',
      files.serverProperties,
    ],
    { cwd: files.dataDir },
  );
  return true;
}

/* ------------------------------------------------------------------ probing */

function tcpOpen(port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (open) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** True if a Kafka broker answers metadata requests on 127.0.0.1:port. */
async function isBrokerUp(port = DEFAULT_PORT) {
  if (!(await tcpOpen(port))) return false;
  const { Kafka, logLevel } = require('kafkajs');
  const admin = new Kafka({
    clientId: 'leadflow-kafka-probe',
    brokers: [`127.0.0.1:${port}`],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2000,
    requestTimeout: 5000,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    await admin.describeCluster();
    await admin.listTopics();
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/* ------------------------------------------------------------------ locking */

/** Serializes starts on one data dir across processes (e.g. parallel Jest workers). */
async function acquireStartLock(files, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      fs.writeFileSync(files.lockFile, `${process.pid}\n`, { flag: 'wx' });
      return () => fs.rmSync(files.lockFile, { force: true });
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
    }
    const holder = readPid(files.lockFile);
    if (holder !== undefined && !isProcessAlive(holder)) {
      fs.rmSync(files.lockFile, { force: true }); // stale: its owner died
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for ${files.lockFile} (held by pid ${holder}); remove it if that process is gone`,
      );
    }
    await sleep(250);
  }
}

/* ------------------------------------------------------------------ start / stop */

async function waitUntilUp({ port, pid, files, timeoutMs }) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await isBrokerUp(port)) return;
    if (pid !== undefined && !isProcessAlive(pid)) {
      throw brokerError(`Kafka broker (pid ${pid}) exited during start-up`, files);
    }
    await sleep(500);
  }
  throw brokerError(`Kafka broker did not answer on 127.0.0.1:${port} within ${timeoutMs / 1000}s`, files);
}

function brokerError(message, files) {
  const detail = [
    message,
    `--- ${files.outFile} (tail) ---`,
    tailFile(files.outFile, 30),
    `--- ${path.join(files.appLogDir, 'server.log')} (tail) ---`,
    tailFile(path.join(files.appLogDir, 'server.log'), 40),
  ].join('\n');
  return new Error(detail);
}

/**
 * Makes sure a broker answers on 127.0.0.1:port, starting one if needed.
 * @returns {Promise<{ brokers: string, reused: boolean, pid?: number }>}
 */
async function ensureBroker({
  port = DEFAULT_PORT,
  controllerPort = port + 1,
  dataDir,
  log = console.log,
  timeoutMs = START_TIMEOUT_MS,
  serverProperties: extra = {},
} = {}) {
  const brokers = `127.0.0.1:${port}`;
  if (await isBrokerUp(port)) return { brokers, reused: true };

  const files = filesOf(resolveDataDir(port, dataDir));
  fs.mkdirSync(files.appLogDir, { recursive: true });
  const release = await acquireStartLock(files, timeoutMs);
  try {
    // Someone may have started it while we waited for the lock.
    if (await isBrokerUp(port)) return { brokers, reused: true };

    const existing = readPid(files.pidFile);
    if (existing !== undefined && isKafkaProcess(existing)) {
      // Our broker is alive but not answering yet (still starting or recovering): wait for it.
      log(`[kafka] broker pid ${existing} on ${brokers} is starting; waiting`);
      await waitUntilUp({ port, pid: existing, files, timeoutMs });
      return { brokers, reused: true, pid: existing };
    }
    fs.rmSync(files.pidFile, { force: true });

    if (await tcpOpen(port)) {
      throw new Error(`127.0.0.1:${port} is in use by something that does not answer as a Kafka broker`);
    }

    const started = Date.now();
    await ensureJars(log);
    fs.writeFileSync(files.serverProperties, serverProperties({ port, controllerPort, files, extra }));
    fs.writeFileSync(files.log4jProperties, log4jProperties(files));
    if (await formatStorage(files)) log(`[kafka] formatted ${path.relative(REPO_ROOT, files.logDir)}`);

    const out = fs.openSync(files.outFile, 'a');
    let child;
    try {
      child = spawn(javaBin(), [...jvmOptions(files), MAIN_CLASS, files.serverProperties], {
        cwd: files.dataDir,
        detached: true,
        stdio: ['ignore', out, out],
        env: { ...process.env, LOG_DIR: files.appLogDir },
      });
    } finally {
      fs.closeSync(out);
    }
    const spawnError = new Promise((_, reject) => child.once('error', reject));
    spawnError.catch(() => undefined);
    child.unref();
    if (child.pid === undefined) await spawnError; // java missing: rejects with ENOENT
    const pid = child.pid;
    fs.writeFileSync(files.pidFile, `${pid}\n`);
    log(
      `[kafka] starting broker on ${brokers} (pid ${pid}, data ${path.relative(REPO_ROOT, files.dataDir)})`,
    );

    await waitUntilUp({ port, pid, files, timeoutMs });
    log(`[kafka] broker up on ${brokers} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    return { brokers, reused: false, pid };
  } finally {
    release();
  }
}

/** Stops the broker whose pid file is in the data dir (SIGTERM, then SIGKILL after 30 s). */
async function stopBroker({ port = DEFAULT_PORT, dataDir, log = () => undefined } = {}) {
  const files = filesOf(resolveDataDir(port, dataDir));
  const pid = readPid(files.pidFile);
  if (pid === undefined) return { stopped: false };
  if (!isKafkaProcess(pid)) {
    fs.rmSync(files.pidFile, { force: true });
    return { stopped: false };
  }
  log(`[kafka] stopping broker pid ${pid}`);
  const signal = (sig) => {
    try {
      process.kill(pid, sig);
    } catch (err) {
      if (err.code !== 'ESRCH') throw err;
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (isProcessAlive(pid) && Date.now() < deadline) await sleep(200);
  if (isProcessAlive(pid)) {
    log(`[kafka] broker pid ${pid} ignored SIGTERM for ${STOP_TIMEOUT_MS / 1000}s; killing`);
    signal('SIGKILL');
    while (isProcessAlive(pid)) await sleep(100);
  }
  fs.rmSync(files.pidFile, { force: true });
  return { stopped: true, pid };
}

/* ------------------------------------------------------------------ CLI */

function parseArgs(argv) {
  const opts = { port: Number.parseInt(process.env.KAFKA_PORT || String(DEFAULT_PORT), 10) };
  const rest = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.split('=', 2);
    const value = () => (inline !== undefined ? inline : argv[++i]);
    if (flag === '--port') opts.port = Number.parseInt(value(), 10);
    else if (flag === '--controller-port') opts.controllerPort = Number.parseInt(value(), 10);
    else if (flag === '--data-dir') opts.dataDir = value();
    else rest.push(arg);
  }
  if (!Number.isInteger(opts.port) || opts.port <= 0) throw new Error('--port must be a port number');
  return { command: rest[0], opts };
}

async function main(argv) {
  const { command, opts } = parseArgs(argv);
  const logErr = (msg) => console.error(msg);
  switch (command) {
    case 'start': {
      const res = await ensureBroker({ ...opts, log: logErr });
      if (res.reused) logErr(`[kafka] reusing broker already answering on ${res.brokers}`);
      console.log(res.brokers);
      return 0;
    }
    case 'stop': {
      const res = await stopBroker({ ...opts, log: logErr });
      logErr(res.stopped ? `[kafka] stopped pid ${res.pid}` : '[kafka] not running (no live pid file)');
      return 0;
    }
    case 'status': {
      const up = await isBrokerUp(opts.port);
      const pid = readPid(filesOf(resolveDataDir(opts.port, opts.dataDir)).pidFile);
      console.log(
        up ? `up 127.0.0.1:${opts.port}${pid && isProcessAlive(pid) ? ` (pid ${pid})` : ''}` : 'down',
      );
      return up ? 0 : 1;
    }
    default:
      console.error(
        'usage: node tools/kafka/broker.js start|stop|status [--port N] [--controller-port N] [--data-dir DIR]',
      );
      return 2;
  }
}

module.exports = { ensureBroker, stopBroker, isBrokerUp, main, REPO_ROOT };

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
