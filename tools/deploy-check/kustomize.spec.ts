import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KustomizeError, parseImage, renderKustomization, strategicMerge } from './kustomize';

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: app
          image: example/web
          env:
            - name: A
              value: "1"
            - name: B
              value: "2"
          resources:
            limits:
              cpu: "1"
        - name: sidecar
          image: example/sidecar:1.0
`;

let dir: string;
function write(files: Record<string, string>): void {
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kustomize-'));
  write({ 'base/kustomization.yaml': 'resources:\n  - web.yaml\n', 'base/web.yaml': DEPLOYMENT });
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('renderKustomization', () => {
  it('applies namespace, labels, images and a targeted strategic-merge patch', () => {
    write({
      'overlay/kustomization.yaml': `resources: [../base]
namespace: shop
labels:
  - pairs: { env: test }
    includeTemplates: true
images:
  - name: example/web
    newName: registry.local/web
    newTag: "2.0"
patches:
  - path: patch.yaml
    target: { kind: Deployment, name: "w.*" }
`,
      'overlay/patch.yaml': `apiVersion: apps/v1
kind: Deployment
metadata: { name: ignored }
spec:
  replicas: null
  template:
    spec:
      containers:
        - name: app
          env:
            - name: B
              value: "two"
            - name: C
              value: "3"
          resources:
            requests: { cpu: 100m }
`,
    });
    const [web] = renderKustomization(path.join(dir, 'overlay'));
    expect(web).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'shop', labels: { app: 'web', env: 'test' } },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web', env: 'test' } },
          spec: {
            containers: [
              {
                name: 'app',
                image: 'registry.local/web:2.0',
                env: [
                  { name: 'A', value: '1' },
                  { name: 'B', value: 'two' },
                  { name: 'C', value: '3' },
                ],
                resources: { limits: { cpu: '1' }, requests: { cpu: '100m' } },
              },
              { name: 'sidecar', image: 'example/sidecar:1.0' },
            ],
          },
        },
      },
    });
  });

  it('commonLabels also go into selectors', () => {
    write({ 'overlay/kustomization.yaml': 'resources: [../base]\ncommonLabels: { team: a }\n' });
    const [web] = renderKustomization(path.join(dir, 'overlay'));
    expect(web?.['spec']).toMatchObject({ selector: { matchLabels: { app: 'web', team: 'a' } } });
  });

  it.each([
    [
      'an unsupported kustomization field',
      'resources: [../base]\nconfigMapGenerator: []\n',
      /unsupported kustomization field "configMapGenerator"/,
    ],
    ['an inline patch', 'resources: [../base]\npatches:\n  - patch: "{}"\n', /unsupported field "patch"/],
    [
      'a patch that matches nothing',
      'resources: [../base]\npatches:\n  - path: p.yaml\n',
      /matches no resource/,
    ],
    [
      'an image nobody uses',
      'resources: [../base]\nimages:\n  - name: example/api\n    newTag: "1"\n',
      /used by no container/,
    ],
    [
      'a labels option it does not know',
      'resources: [../base]\nlabels:\n  - pairs: { a: b }\n    fields: []\n',
      /unsupported field "fields"/,
    ],
    ['a duplicate resource', 'resources: [../base, ../base/web.yaml]\n', /duplicate resource/],
  ])('fails loudly on %s', (_what, kustomization, error) => {
    write({
      'overlay/kustomization.yaml': kustomization,
      'overlay/p.yaml':
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: api }\nspec: { replicas: 1 }\n',
    });
    expect(() => renderKustomization(path.join(dir, 'overlay'))).toThrow(KustomizeError);
    expect(() => renderKustomization(path.join(dir, 'overlay'))).toThrow(error);
  });

  it('rejects JSON6902 patches and patch directives', () => {
    write({
      'overlay/kustomization.yaml': 'resources: [../base]\npatches:\n  - path: p.yaml\n',
      'overlay/p.yaml': '- op: replace\n  path: /spec/replicas\n  value: 1\n',
    });
    expect(() => renderKustomization(path.join(dir, 'overlay'))).toThrow(/JSON6902/);
    write({
      'overlay/p.yaml':
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web }\nspec:\n  $patch: replace\n',
    });
    expect(() => renderKustomization(path.join(dir, 'overlay'))).toThrow(/directive "\$patch"/);
  });
});

describe('strategicMerge', () => {
  it('replaces lists of custom resources and lists without a merge key', () => {
    const base = {
      spec: {
        listeners: [
          { name: 'a', port: 1 },
          { name: 'b', port: 2 },
        ],
      },
    };
    const patch = { spec: { listeners: [{ name: 'a', port: 3 }] } };
    expect(strategicMerge(base, patch, false, '')).toEqual(patch);
    expect(strategicMerge({ rules: [{ host: 'a' }] }, { rules: [{ host: 'b' }] }, true, '')).toEqual({
      rules: [{ host: 'b' }],
    });
  });
});

describe('parseImage', () => {
  it.each([
    ['nginx', { name: 'nginx' }],
    ['nginx:1.27', { name: 'nginx', tag: '1.27' }],
    ['localhost:5000/a/b:1', { name: 'localhost:5000/a/b', tag: '1' }],
    ['a/b@sha256:abc', { name: 'a/b', digest: 'sha256:abc' }],
  ])('%s', (image, ref) => expect(parseImage(image)).toEqual(expect.objectContaining(ref)));
});
