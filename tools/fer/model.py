"""The FER emotion model: a small ResNet with CBAM attention (Woo et al., ECCV 2018) after each
stage. Input: [N, 1, 48, 48] float, a histogram-equalised 48x48 gray face scaled to [-1, 1]
((x / 255 - 0.5) / 0.5). Output: [N, 7] logits in FER-2013 label order. The candle port in
src/vision/fer.rs mirrors this file layer for layer; parameter names are the safetensors keys."""

import torch
import torch.nn as nn
import torch.nn.functional as F


class ConvBn(nn.Module):
    """conv3x3 (no bias) -> BatchNorm -> optional ReLU."""

    def __init__(self, cin, cout, stride=1, relu=True):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn = nn.BatchNorm2d(cout)
        self.relu = relu

    def forward(self, x):
        x = self.bn(self.conv(x))
        return F.relu(x) if self.relu else x


class Cbam(nn.Module):
    """Channel attention (shared MLP over avg- and max-pooled features, reduction r) then spatial
    attention (7x7 conv over the channel-wise mean and max). Returns the refined features and the
    spatial map [N, 1, H, W] (used by `mien emotion --explain`)."""

    def __init__(self, c, r=8):
        super().__init__()
        self.fc1 = nn.Conv2d(c, c // r, 1, bias=True)
        self.fc2 = nn.Conv2d(c // r, c, 1, bias=True)
        self.spatial = nn.Conv2d(2, 1, 7, 1, 3, bias=True)

    def forward(self, x):
        avg = F.adaptive_avg_pool2d(x, 1)
        mx = F.adaptive_max_pool2d(x, 1)
        ca = torch.sigmoid(self.fc2(F.relu(self.fc1(avg))) + self.fc2(F.relu(self.fc1(mx))))
        x = x * ca
        s = torch.cat([x.mean(dim=1, keepdim=True), x.amax(dim=1, keepdim=True)], dim=1)
        sa = torch.sigmoid(self.spatial(s))
        return x * sa, sa


class Block(nn.Module):
    """Basic residual block (two ConvBn) + CBAM on the residual branch, identity shortcut."""

    def __init__(self, c):
        super().__init__()
        self.a = ConvBn(c, c)
        self.b = ConvBn(c, c, relu=False)
        self.cbam = Cbam(c)

    def forward(self, x):
        y, sa = self.cbam(self.b(self.a(x)))
        return F.relu(x + y), sa


class FerNet(nn.Module):
    """stem 1->32 @48, down 32->32 @24, block(32), down 32->64 @12, block(64), down 64->128 @6,
    block(128), global average pool, dropout, linear 128->7. With `with_attention` it also returns
    block2's 12x12 spatial attention map (fine enough to overlay, late enough to mean something)."""

    def __init__(self, width=(32, 64, 128), classes=7, dropout=0.3):
        super().__init__()
        w1, w2, w3 = width
        self.stem = ConvBn(1, w1)
        self.down1 = ConvBn(w1, w1, stride=2)
        self.block1 = Block(w1)
        self.down2 = ConvBn(w1, w2, stride=2)
        self.block2 = Block(w2)
        self.down3 = ConvBn(w2, w3, stride=2)
        self.block3 = Block(w3)
        self.drop = nn.Dropout(dropout)
        self.head = nn.Linear(w3, classes)

    def forward(self, x, with_attention=False):
        x = self.down1(self.stem(x))
        x, _ = self.block1(x)
        x, sa = self.block2(self.down2(x))
        x, _ = self.block3(self.down3(x))
        logits = self.head(self.drop(x.mean(dim=(2, 3))))
        return (logits, sa) if with_attention else logits
