//! The decoders mien uses: every codec symphonia was built with, plus Opus through libopus
//! (symphonia has no Opus decoder of its own). Used by the player, the library scan and the mood
//! tagger alike, so that a file that scans also plays and tags.

use std::sync::OnceLock;

use symphonia::core::codecs::registry::CodecRegistry;

/// The shared codec registry, built on first use.
pub fn codecs() -> &'static CodecRegistry {
    static REGISTRY: OnceLock<CodecRegistry> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let mut registry = CodecRegistry::new();
        symphonia::default::register_enabled_codecs(&mut registry);
        registry.register_audio_decoder::<symphonia_adapter_libopus::OpusDecoder>();
        registry
    })
}
