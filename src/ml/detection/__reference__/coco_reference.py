#!/usr/bin/python3
"""Independent reference for src/ml/detection/cocoEval.ts: a plain numpy port of pycocotools' COCOeval for bounding
boxes (evaluateImg + accumulate + summarize; crowd-free, area range 'all', maxDets 100). pycocotools is not installed
here, so its logic is re-written from its source (cocoeval.py, v2.0) with the same array operations (argsort mergesort,
cumsum, np.spacing(1), the precision envelope, searchsorted side='left').
Run: /usr/bin/python3 src/ml/detection/__reference__/coco_reference.py > src/ml/detection/__reference__/coco_reference.json
Inputs (seeded random boxes) are written into the JSON with the expected outputs."""
import json
import numpy as np

IOU_THRS = np.linspace(.5, 0.95, int(np.round((0.95 - .5) / .05)) + 1, endpoint=True)
REC_THRS = np.linspace(.0, 1.00, int(np.round((1.00 - .0) / .01)) + 1, endpoint=True)
MAX_DET = 100


def box_iou(d, g):
    """maskUtils.iou for xywh boxes without crowd: intersection / union."""
    out = np.zeros((len(d), len(g)))
    for i, a in enumerate(d):
        for j, b in enumerate(g):
            w = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
            h = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
            if w <= 0 or h <= 0:
                continue
            inter = w * h
            out[i, j] = inter / (a[2] * a[3] + b[2] * b[3] - inter)
    return out


def evaluate_img(gt, dt):
    """gt: list of xywh; dt: list of (xywh, score). Returns dtScores and dtMatches [T, D] (pycocotools.evaluateImg)."""
    if len(gt) == 0 and len(dt) == 0:
        return None
    dtind = np.argsort([-s for _, s in dt], kind='mergesort')
    dt = [dt[i] for i in dtind[0:MAX_DET]]
    ious = box_iou([b for b, _ in dt], gt) if len(gt) and len(dt) else np.zeros((len(dt), len(gt)))
    T, G, D = len(IOU_THRS), len(gt), len(dt)
    gtm = np.zeros((T, G))
    dtm = np.zeros((T, D))
    for tind, t in enumerate(IOU_THRS):
        for dind in range(D):
            iou = min([t, 1 - 1e-10])
            m = -1
            for gind in range(G):
                if gtm[tind, gind] > 0:
                    continue
                if ious[dind, gind] < iou:
                    continue
                iou = ious[dind, gind]
                m = gind
            if m == -1:
                continue
            dtm[tind, dind] = 1
            gtm[tind, m] = 1
    return {'dtScores': [s for _, s in dt], 'dtMatches': dtm, 'nGt': G}


def accumulate(evals):
    """Precision [T, R] for one class over its images (pycocotools.accumulate), or None without truth."""
    E = [e for e in evals if e is not None]
    if len(E) == 0:
        return None
    dtScores = np.concatenate([e['dtScores'][0:MAX_DET] for e in E])
    inds = np.argsort(-dtScores, kind='mergesort')
    dtm = np.concatenate([e['dtMatches'][:, 0:MAX_DET] for e in E], axis=1)[:, inds]
    npig = sum(e['nGt'] for e in E)
    if npig == 0:
        return None
    tps = np.logical_and(dtm, True)
    fps = np.logical_not(dtm)
    tp_sum = np.cumsum(tps, axis=1).astype(dtype=float)
    fp_sum = np.cumsum(fps, axis=1).astype(dtype=float)
    precision = -np.ones((len(IOU_THRS), len(REC_THRS)))
    recall = np.zeros(len(IOU_THRS))
    for t, (tp, fp) in enumerate(zip(tp_sum, fp_sum)):
        tp = np.array(tp)
        fp = np.array(fp)
        nd = len(tp)
        rc = tp / npig
        pr = tp / (fp + tp + np.spacing(1))
        q = np.zeros((len(REC_THRS),))
        recall[t] = rc[-1] if nd else 0
        pr = pr.tolist()
        q = q.tolist()
        for i in range(nd - 1, 0, -1):
            if pr[i] > pr[i - 1]:
                pr[i - 1] = pr[i]
        inds = np.searchsorted(rc, REC_THRS, side='left')
        try:
            for ri, pi in enumerate(inds):
                q[ri] = pr[pi]
        except IndexError:
            pass
        precision[t, :] = np.array(q)
    return precision, recall


def run_case(name, images, num_classes):
    per_class = []
    all_prec = []
    for k in range(num_classes):
        evals = []
        for img in images:
            gt = [[b['x1'], b['y1'], b['x2'] - b['x1'], b['y2'] - b['y1']] for b in img['truth'] if b['classId'] == k]
            dt = [([b['x1'], b['y1'], b['x2'] - b['x1'], b['y2'] - b['y1']], b['score']) for b in img['predictions'] if b['classId'] == k]
            evals.append(evaluate_img(gt, dt))
        acc = accumulate(evals)
        if acc is None:
            per_class.append({'classId': k, 'ap50': None, 'ap75': None, 'ap50_95': None, 'pr50': []})
            continue
        prec, rec = acc
        all_prec.append(prec)
        per_class.append({'classId': k, 'ap50': float(np.mean(prec[0])), 'ap75': float(np.mean(prec[5])),
                          'ap50_95': float(np.mean(prec)), 'recall50': float(rec[0]), 'pr50': prec[0].tolist()})
    # summarize(): mean of every precision entry > -1 (all classes with truth, all thresholds, all recall points)
    stack = np.stack(all_prec) if all_prec else np.zeros((0, 10, 101))
    summary = lambda s: float(np.mean(s[s > -1])) if s.size else 0.0
    return {'name': name, 'numClasses': num_classes, 'images': images, 'map50_95': summary(stack),
            'map50': summary(stack[:, 0, :]), 'map75': summary(stack[:, 5, :]), 'perClass': per_class}


def random_case(name, seed, n_images, num_classes):
    rng = np.random.default_rng(seed)
    images = []
    for _ in range(n_images):
        truth, preds = [], []
        for _ in range(rng.integers(0, 5)):
            x1, y1 = rng.integers(0, 300, 2)
            w, h = rng.integers(5, 80, 2)
            k = int(rng.integers(0, num_classes))
            truth.append({'classId': k, 'x1': int(x1), 'y1': int(y1), 'x2': int(x1 + w), 'y2': int(y1 + h)})
            if rng.random() < 0.8:  # a jittered prediction of this box
                j = rng.integers(-6, 7, 4)
                preds.append({'classId': k, 'x1': int(x1 + j[0]), 'y1': int(y1 + j[1]), 'x2': int(x1 + w + j[2]),
                              'y2': int(y1 + h + j[3]), 'score': round(float(rng.random()), 2)})
        for _ in range(rng.integers(0, 3)):  # false positives (rounded scores make ties)
            x1, y1 = rng.integers(0, 300, 2)
            w, h = rng.integers(5, 80, 2)
            preds.append({'classId': int(rng.integers(0, num_classes)), 'x1': int(x1), 'y1': int(y1),
                          'x2': int(x1 + w), 'y2': int(y1 + h), 'score': round(float(rng.random()), 2)})
        images.append({'truth': truth, 'predictions': preds})
    return run_case(name, images, num_classes)


out = {'numpy': np.__version__, 'cases': [
    random_case('one-class', 1, 12, 1),
    random_case('three-classes', 2, 20, 3),
    random_case('many-ties', 3, 30, 2),
]}
print(json.dumps(out))
