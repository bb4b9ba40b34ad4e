//! Reading a render back to the CPU: the target is copied into a mappable buffer whose rows
//! are padded to wgpu's 256-byte alignment, mapped with a time limit, and unpadded.

use super::device::{Gpu, RenderError};
use std::time::Duration;

/// Reads a texture made by [`super::Renderer::render_texture`] back (Save As…, the renders
/// folder).
pub(crate) fn read_texture(
    gpu: &Gpu,
    texture: &wgpu::Texture,
) -> Result<image::RgbaImage, RenderError> {
    let encoder = gpu
        .device
        .create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("read texture"),
        });
    readback(gpu, encoder, texture, texture.width())
}

/// Copies the target into a mappable buffer (rows padded to 256 bytes) and strips the padding.
pub(crate) fn readback(
    gpu: &Gpu,
    mut encoder: wgpu::CommandEncoder,
    target: &wgpu::Texture,
    size: u32,
) -> Result<image::RgbaImage, RenderError> {
    let row = size * 4;
    let padded =
        row.div_ceil(wgpu::COPY_BYTES_PER_ROW_ALIGNMENT) * wgpu::COPY_BYTES_PER_ROW_ALIGNMENT;
    let buffer = gpu.device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("readback"),
        size: u64::from(padded) * u64::from(size),
        usage: wgpu::BufferUsages::COPY_DST | wgpu::BufferUsages::MAP_READ,
        mapped_at_creation: false,
    });
    encoder.copy_texture_to_buffer(
        wgpu::TexelCopyTextureInfo {
            texture: target,
            mip_level: 0,
            origin: wgpu::Origin3d::ZERO,
            aspect: wgpu::TextureAspect::All,
        },
        wgpu::TexelCopyBufferInfo {
            buffer: &buffer,
            layout: wgpu::TexelCopyBufferLayout {
                offset: 0,
                bytes_per_row: Some(padded),
                rows_per_image: Some(size),
            },
        },
        wgpu::Extent3d {
            width: size,
            height: size,
            depth_or_array_layers: 1,
        },
    );
    gpu.queue.submit([encoder.finish()]);
    let (tx, rx) = std::sync::mpsc::channel();
    buffer.slice(..).map_async(wgpu::MapMode::Read, move |r| {
        // The receiver waits below with a time limit; if it has given up, nobody needs this.
        let _ = tx.send(r);
    });
    gpu.device
        .poll(wgpu::PollType::Wait {
            submission_index: None,
            timeout: Some(Duration::from_secs(120)),
        })
        .map_err(|e| RenderError::Readback(e.to_string()))?;
    rx.recv_timeout(Duration::from_secs(5))
        .map_err(|_| RenderError::Readback("the GPU did not finish in time".into()))?
        .map_err(|e| RenderError::Readback(e.to_string()))?;
    let data = buffer
        .slice(..)
        .get_mapped_range()
        .map_err(|e| RenderError::Readback(e.to_string()))?;
    let mut pixels = Vec::with_capacity((row * size) as usize);
    for y in 0..size as usize {
        let start = y * padded as usize;
        pixels.extend_from_slice(&data[start..start + row as usize]);
    }
    drop(data);
    buffer.unmap();
    image::RgbaImage::from_raw(size, size, pixels)
        .ok_or_else(|| RenderError::Readback("wrong image size".into()))
}
